namespace Ockam.Identity.Tests.Mls.Interop;

/// <summary>
/// The ts-mls driver works end to end with ts-mls on both sides, before our MLS code can be its peer: if
/// an interop test fails later, these say whether the other side was sound. They also pin the wire
/// headers ts-mls writes, which our decoder must accept.
/// </summary>
public sealed class TsMlsDriverTests
{
    private static readonly byte[] Alice = Utf8("alice");
    private static readonly byte[] Bob = Utf8("bob");

    /// <summary>Bounds a whole test, well above the per-call timeout times the calls it makes.</summary>
    private static CancellationTokenSource TestTimeout() => new(TimeSpan.FromMinutes(3));

    [Fact]
    public async Task Two_ts_mls_members_add_talk_update_refuse_tampering_and_remove()
    {
        using var cts = TestTimeout();
        var ct = cts.Token;
        await using var peer = await TsMlsPeer.StartAsync(ct);
        Assert.Equal("1.6.4", peer.TsMlsVersion);

        await peer.NewClientAsync("alice", Alice, ct);
        var bobKeyPackage = await peer.NewClientAsync("bob", Bob, ct);
        // MLSMessage{version mls10, wire_format mls_key_package}, then KeyPackage{version mls10, suite 1}.
        AssertStartsWith("0001" + "0005" + "0001" + "0001", bobKeyPackage);

        var groupId = Utf8("ts-mls smoke group");
        Assert.Equal(0UL, await peer.CreateGroupAsync("alice", groupId, ct));

        var add = await peer.AddAsync("alice", bobKeyPackage, ct);
        Assert.Equal(1UL, add.Epoch);
        // MLSMessage{mls10, mls_welcome}, then Welcome{cipher_suite 1}.
        AssertStartsWith("0001" + "0003" + "0001", add.Welcome);
        // The driver sends handshakes encrypted: MLSMessage{mls10, mls_private_message}.
        AssertStartsWith("0001" + "0002", add.Commit);
        AssertRatchetTree(add.RatchetTree);

        var (bobEpoch, bobLeaf) = await peer.JoinAsync("bob", add.Welcome, add.RatchetTree, ct);
        Assert.Equal(1UL, bobEpoch);
        Assert.Equal(1u, bobLeaf);
        await AssertSameEpochAsync(peer, expectedEpoch: 1, ct);

        var hello = Utf8("hello bob");
        var toBob = await peer.SendAsync("alice", hello, ct);
        AssertStartsWith("0001" + "0002", toBob);
        var read = await peer.ProcessAsync("bob", toBob, ct);
        Assert.Equal(TsMlsProcessedKind.Application, read.Kind);
        Assert.Equal(hello, read.Plaintext);

        var update = await peer.UpdateAsync("bob", ct);
        Assert.Equal(2UL, update.Epoch);
        var processed = await peer.ProcessAsync("alice", update.Commit, ct);
        Assert.Equal(TsMlsProcessedKind.Commit, processed.Kind);
        Assert.Equal(2UL, processed.Epoch);
        Assert.False(processed.Removed);
        await AssertSameEpochAsync(peer, expectedEpoch: 2, ct);

        // One flipped bit in the ciphertext's tail (inside the AEAD-protected content) must be refused,
        // and the refusal must not cost bob the untampered message.
        var secret = Utf8("for bob only");
        var message = await peer.SendAsync("alice", secret, ct);
        var tampered = (byte[])message.Clone();
        tampered[^5] ^= 0x01;
        var refused = await Assert.ThrowsAsync<TsMlsRefusedException>(() => peer.ProcessAsync("bob", tampered, ct));
        Assert.Equal("process", refused.Op);
        Assert.Equal(secret, (await peer.ProcessAsync("bob", message, ct)).Plaintext);

        var remove = await peer.RemoveAsync("alice", 1, ct);
        Assert.Equal(3UL, remove.Epoch);
        var aliceState = await peer.StateAsync("alice", ct);
        Assert.Equal([0u], aliceState.Members.Select(m => m.LeafIndex));

        // ts-mls records its own removal without moving to the epoch it cannot derive.
        var removal = await peer.ProcessAsync("bob", remove.Commit, ct);
        Assert.Equal(TsMlsProcessedKind.Commit, removal.Kind);
        Assert.True(removal.Removed);
        Assert.Equal("removedFromGroup", (await peer.StateAsync("bob", ct)).Active);

        var afterRemoval = await peer.SendAsync("alice", Utf8("bob is gone"), ct);
        await Assert.ThrowsAsync<TsMlsRefusedException>(() => peer.ProcessAsync("bob", afterRemoval, ct));
    }

    [Fact]
    public async Task A_welcome_with_the_ratchet_tree_extension_joins_without_a_separate_tree()
    {
        using var cts = TestTimeout();
        var ct = cts.Token;
        await using var peer = await TsMlsPeer.StartAsync(ct);

        await peer.NewClientAsync("alice", Alice, ct);
        var bobKeyPackage = await peer.NewClientAsync("bob", Bob, ct);
        await peer.CreateGroupAsync("alice", [0x01], ct);
        var add = await peer.AddAsync("alice", bobKeyPackage, ct, ratchetTreeExtension: true);

        var (epoch, leaf) = await peer.JoinAsync("bob", add.Welcome, [], ct);
        Assert.Equal((1UL, 1u), (epoch, leaf));
        await AssertSameEpochAsync(peer, expectedEpoch: 1, ct);
    }

    [Fact]
    public async Task A_welcome_without_the_extension_needs_the_separate_tree()
    {
        using var cts = TestTimeout();
        var ct = cts.Token;
        await using var peer = await TsMlsPeer.StartAsync(ct);

        await peer.NewClientAsync("alice", Alice, ct);
        var bobKeyPackage = await peer.NewClientAsync("bob", Bob, ct);
        await peer.CreateGroupAsync("alice", [0x02], ct);
        var add = await peer.AddAsync("alice", bobKeyPackage, ct);

        // ts-mls's default leaves the tree out of the Welcome, so an interop joiner must be given it.
        await Assert.ThrowsAsync<TsMlsRefusedException>(() => peer.JoinAsync("bob", add.Welcome, [], ct));
        Assert.Equal((1UL, 1u), await peer.JoinAsync("bob", add.Welcome, add.RatchetTree, ct));
    }

    [Fact]
    public async Task Commits_can_go_out_as_public_messages()
    {
        using var cts = TestTimeout();
        var ct = cts.Token;
        await using var peer = await TsMlsPeer.StartAsync(ct);

        await peer.NewClientAsync("alice", Alice, ct);
        var bobKeyPackage = await peer.NewClientAsync("bob", Bob, ct);
        await peer.CreateGroupAsync("alice", [0x03], ct);
        var add = await peer.AddAsync("alice", bobKeyPackage, ct, publicMessage: true);
        // MLSMessage{mls10, mls_public_message}.
        AssertStartsWith("0001" + "0001", add.Commit);
        await peer.JoinAsync("bob", add.Welcome, add.RatchetTree, ct);

        var update = await peer.UpdateAsync("alice", ct, publicMessage: true);
        AssertStartsWith("0001" + "0001", update.Commit);
        Assert.Equal(2UL, (await peer.ProcessAsync("bob", update.Commit, ct)).Epoch);
        await AssertSameEpochAsync(peer, expectedEpoch: 2, ct);

        // A PublicMessage is signed and MACed with the membership key, so a flipped byte is refused too.
        var remove = await peer.RemoveAsync("bob", 0, ct, publicMessage: true);
        var tampered = (byte[])remove.Commit.Clone();
        tampered[^40] ^= 0x01;
        await Assert.ThrowsAsync<TsMlsRefusedException>(() => peer.ProcessAsync("alice", tampered, ct));
        Assert.True((await peer.ProcessAsync("alice", remove.Commit, ct)).Removed);
    }

    [Theory]
    [InlineData(TsMlsGrease.None)]
    [InlineData(TsMlsGrease.All)]
    public async Task Key_packages_with_or_without_grease_join(TsMlsGrease grease)
    {
        using var cts = TestTimeout();
        var ct = cts.Token;
        await using var peer = await TsMlsPeer.StartAsync(ct);

        await peer.NewClientAsync("alice", Alice, ct, grease);
        var bobKeyPackage = await peer.NewClientAsync("bob", Bob, ct, grease);
        // Every GREASE value is a 2-byte entry in four capability lists: 15 × 4 × 2 = 120 bytes more, plus
        // one because the ciphersuite list (ts-mls's 19 suites, 38 bytes) passes 63 bytes and its
        // variable-length header (RFC 9420 §2.1.2) grows from 1 byte to 2.
        var plain = await peer.NewClientAsync("plain", Bob, ct, TsMlsGrease.None);
        Assert.Equal(grease == TsMlsGrease.All ? 121 : 0, bobKeyPackage.Length - plain.Length);

        await peer.CreateGroupAsync("alice", [0x04], ct);
        var add = await peer.AddAsync("alice", bobKeyPackage, ct);
        await peer.JoinAsync("bob", add.Welcome, add.RatchetTree, ct);
        await AssertSameEpochAsync(peer, expectedEpoch: 1, ct);
    }

    [Fact]
    public async Task A_driver_without_its_packages_fails_with_how_to_install_them()
    {
        var directory = Directory.CreateTempSubdirectory("ts-mls-driver-");
        try
        {
            File.Copy(Path.Combine(TsMlsPeer.DriverDirectory(), "driver.mjs"), Path.Combine(directory.FullName, "driver.mjs"));
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TsMlsPeer.StartAsync(directory.FullName, CancellationToken.None));
            Assert.Contains(TsMlsPeer.InstallHint, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Both members agree on the epoch, the tree, the members, the epoch authenticator and an exported key.</summary>
    private static async Task AssertSameEpochAsync(TsMlsPeer peer, ulong expectedEpoch, CancellationToken ct)
    {
        var alice = await peer.StateAsync("alice", ct);
        var bob = await peer.StateAsync("bob", ct);
        Assert.Equal(expectedEpoch, alice.Epoch);
        Assert.Equal(expectedEpoch, bob.Epoch);
        Assert.Equal(alice.GroupId, bob.GroupId);
        Assert.Equal(alice.TreeHash, bob.TreeHash);
        Assert.Equal(alice.ConfirmedTranscriptHash, bob.ConfirmedTranscriptHash);
        Assert.Equal(alice.RatchetTree, bob.RatchetTree);
        Assert.Equal(32, alice.EpochAuthenticator.Length);
        Assert.Equal(alice.EpochAuthenticator, bob.EpochAuthenticator);
        Assert.Equal(
            [(0u, "basic", Alice), (1u, "basic", Bob)],
            alice.Members.Select(m => (m.LeafIndex, m.CredentialType, m.Identity)).ToArray());
        Assert.Equal(alice.Members.Select(m => m.SignatureKey), bob.Members.Select(m => m.SignatureKey));

        var context = Utf8("context");
        var fromAlice = await peer.ExportAsync("alice", "ockam interop", context, 32, ct);
        var fromBob = await peer.ExportAsync("bob", "ockam interop", context, 32, ct);
        Assert.Equal(fromAlice, fromBob);
        Assert.NotEqual(fromAlice, await peer.ExportAsync("alice", "another label", context, 32, ct));
    }

    // Spelled out: this namespace sits under Ockam.Identity.Tests, whose Encoding folder shadows System.Text.Encoding.
    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private static void AssertStartsWith(string hexPrefix, byte[] bytes) =>
        Assert.StartsWith(hexPrefix, Convert.ToHexStringLower(bytes), StringComparison.Ordinal);

    /// <summary>
    /// RFC 9420 §12.4.3.3: <c>optional&lt;Node&gt; ratchet_tree&lt;V&gt;</c>, a variable-length header (§2.1.2)
    /// spanning the rest, then per node a presence byte; the first node is the creator's leaf
    /// (present, node_type leaf = 1), and trailing blank nodes are not written.
    /// </summary>
    private static void AssertRatchetTree(byte[] tree)
    {
        var (length, headerSize) = (tree[0] >> 6) switch
        {
            0 => (tree[0] & 0x3f, 1),
            1 => (((tree[0] & 0x3f) << 8) | tree[1], 2),
            2 => (((tree[0] & 0x3f) << 24) | (tree[1] << 16) | (tree[2] << 8) | tree[3], 4),
            _ => throw new Xunit.Sdk.XunitException("ratchet_tree length header uses the reserved 0b11 prefix"),
        };
        Assert.Equal(tree.Length - headerSize, length);
        Assert.Equal(0x01, tree[headerSize]); // present
        Assert.Equal(0x01, tree[headerSize + 1]); // node_type leaf
    }
}
