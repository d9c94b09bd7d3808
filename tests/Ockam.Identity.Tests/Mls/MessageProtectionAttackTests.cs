using System.Security.Cryptography;
using Ockam.Identity.Encoding;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// Attacks on message protection (RFC 9420 §6.2–6.3, §9.2, §15.2) in a group of four leaves: Alice (0), Bob (1), a
/// blank leaf (2) and Carol (3), each member with their own view of the epoch. The attacker is Carol, an insider who
/// holds every secret of the epoch but not the others' signature keys, or anyone who can reach Bob's inbox with
/// bytes of their choosing, the Delivery Service included. Whatever fails to verify must leave Bob exactly where he was.
/// </summary>
public sealed class MessageProtectionAttackTests : IDisposable, ILeafSignatureKeys
{
    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;
    private static readonly LeafIndex Alice = new(0);
    private static readonly LeafIndex Bob = new(1);
    private static readonly LeafIndex Blank = new(2);
    private static readonly LeafIndex Carol = new(3);

    private readonly SoftwareVault vault = new();
    private readonly GroupContext context = new(Suite.Id, "attack-test-group"u8, 7, new byte[32], new byte[32], []);
    private readonly byte[] encryptionSecret = RandomNumberGenerator.GetBytes(32);
    private readonly KeyHandle senderDataSecret;
    private readonly KeyHandle membershipKey;
    private readonly Dictionary<LeafIndex, KeyHandle> signatureKeys = [];
    private readonly List<SecretTree> trees = [];

    public MessageProtectionAttackTests()
    {
        senderDataSecret = vault.ImportEphemeralKey(KeyType.Secret, RandomNumberGenerator.GetBytes(32));
        membershipKey = vault.ImportEphemeralKey(KeyType.Secret, RandomNumberGenerator.GetBytes(32));
        foreach (var member in new[] { Alice, Bob, Carol })
        {
            signatureKeys[member] = vault.ImportEphemeralKey(KeyType.Ed25519, RandomNumberGenerator.GetBytes(32));
        }
    }

    [Fact]
    public void Forged_far_generations_with_garbage_ciphertext_leave_the_receiver_able_to_read_the_senders_next_message()
    {
        var (alice, _) = ViewOf();
        var (bob, bobTree) = ViewOf();

        // Each forged generation would be within reach of a ratchet moved by the one before.
        foreach (var generation in new[] { HashRatchet.MaxForwardDistance, 2 * HashRatchet.MaxForwardDistance, 3 * HashRatchet.MaxForwardDistance, uint.MaxValue - 1, uint.MaxValue })
        {
            var forged = Forge(new SenderData(Alice, generation, new byte[4]), RandomNumberGenerator.GetBytes(64));
            Assert.Throws<MlsCryptoException>(() => bob.UnprotectPrivate(forged));
        }

        var ratchet = bobTree.Ratchet(Alice, RatchetType.Application);
        Assert.Equal(0u, ratchet.Generation);
        Assert.Equal(0, ratchet.SkippedCount);
        Assert.Equal("still heard", Read(bob, Send(alice, Alice, "still heard")));
    }

    [Fact]
    public void A_replayed_message_is_refused()
    {
        var (alice, _) = ViewOf();
        var (bob, _) = ViewOf();
        var message = Send(alice, Alice, "once");
        Assert.Equal("once", Read(bob, message));
        Assert.Throws<MlsCryptoException>(() => bob.UnprotectPrivate(message));
    }

    [Fact]
    public void Messages_out_of_order_within_the_window_are_each_read_once()
    {
        var (alice, _) = ViewOf();
        var (bob, bobTree) = ViewOf();
        var messages = Enumerable.Range(0, 4).Select(i => Send(alice, Alice, $"m{i}")).ToArray();

        foreach (var i in new[] { 3, 0, 2, 1 })
        {
            Assert.Equal($"m{i}", Read(bob, messages[i]));
        }

        foreach (var message in messages)
        {
            Assert.Throws<MlsCryptoException>(() => bob.UnprotectPrivate(message));
        }

        Assert.Equal(0, bobTree.Ratchet(Alice, RatchetType.Application).SkippedCount);
    }

    [Fact]
    public void A_message_whose_skipped_key_was_deleted_is_refused()
    {
        var (alice, _) = ViewOf();
        var (bob, bobTree) = ViewOf();
        var messages = Enumerable.Range(0, HashRatchet.MaxSkippedKeys + 3).Select(i => Send(alice, Alice, $"m{i}")).ToArray();

        // Reading generation 1000 keeps the keys of 0 to 999; reading 1002 keeps 1001 too, and so deletes 0's.
        Assert.Equal($"m{HashRatchet.MaxSkippedKeys}", Read(bob, messages[HashRatchet.MaxSkippedKeys]));
        Assert.Equal($"m{HashRatchet.MaxSkippedKeys + 2}", Read(bob, messages[HashRatchet.MaxSkippedKeys + 2]));
        Assert.Equal(HashRatchet.MaxSkippedKeys, bobTree.Ratchet(Alice, RatchetType.Application).SkippedCount);
        Assert.Throws<MlsCryptoException>(() => bob.UnprotectPrivate(messages[0]));
        Assert.Equal("m1", Read(bob, messages[1]));
    }

    [Fact]
    public void Tampered_ciphertext_sender_data_or_authenticated_data_is_refused_and_the_genuine_message_still_read()
    {
        var (alice, _) = ViewOf();
        var (bob, _) = ViewOf();
        var genuine = Send(alice, Alice, "genuine");
        PrivateMessage With(ReadOnlyMemory<byte>? authenticatedData = null, byte[]? senderData = null, byte[]? ciphertext = null) =>
            new(genuine.GroupId, genuine.Epoch, genuine.ContentType, authenticatedData ?? genuine.AuthenticatedData, senderData ?? genuine.EncryptedSenderData, ciphertext ?? genuine.Ciphertext);

        // The first byte is in the sample the sender data key is derived from; the last in the content's tag.
        Assert.Throws<MlsCryptoException>(() => bob.UnprotectPrivate(With(ciphertext: Flipped(genuine.Ciphertext, 0))));
        Assert.Throws<MlsCryptoException>(() => bob.UnprotectPrivate(With(ciphertext: Flipped(genuine.Ciphertext, genuine.Ciphertext.Length - 1))));
        Assert.Throws<MlsCryptoException>(() => bob.UnprotectPrivate(With(senderData: Flipped(genuine.EncryptedSenderData, 0))));
        Assert.Throws<MlsCryptoException>(() => bob.UnprotectPrivate(With(authenticatedData: "added"u8.ToArray())));
        Assert.Throws<MlsCryptoException>(() => bob.UnprotectPrivate(new PrivateMessage(genuine.GroupId, genuine.Epoch + 1, genuine.ContentType, genuine.AuthenticatedData, genuine.EncryptedSenderData, genuine.Ciphertext)));
        Assert.Equal("genuine", Read(bob, genuine));
    }

    [Fact]
    public void Content_encrypted_under_a_members_key_but_signed_by_another_is_refused_and_the_member_still_read()
    {
        var (alice, _) = ViewOf();
        var (bob, _) = ViewOf();
        var (carol, _) = ViewOf();

        // Carol holds Alice's ratchet secrets, as every member does, but not her signature key.
        var forged = carol.ProtectPrivate(Application(Alice, "from alice, really"), signatureKeys[Carol], null, 0);
        Assert.Throws<MlsCryptoException>(() => bob.UnprotectPrivate(forged));
        Assert.Equal("from alice", Read(bob, Send(alice, Alice, "from alice")));
    }

    [Fact]
    public void Non_zero_padding_is_refused_as_malformed_and_moves_nothing()
    {
        var (bob, bobTree) = ViewOf();
        var aliceTree = new SecretTree(vault, Suite, vault.ImportEphemeralKey(KeyType.Secret, encryptionSecret), 4);
        trees.Add(aliceTree);

        // Alice herself, with her own keys, hides a byte in the padding.
        var content = Application(Alice, "covert");
        var authenticated = AuthenticatedContent.Sign(vault, signatureKeys[Alice], WireFormat.PrivateMessage, content, context.Encode(), null);
        var plaintext = PrivateMessageContent.Encode(content, authenticated.Auth, 3);
        plaintext[^1] = 1;
        var keyAndNonce = aliceTree.Ratchet(Alice, RatchetType.Application).Next();
        var ciphertext = new byte[plaintext.Length + Aead.TagSize];
        vault.Encrypt(keyAndNonce.Key, keyAndNonce.Nonce.Span, plaintext, ContentAad(), ciphertext);
        vault.DeleteEphemeralKey(keyAndNonce.Key);

        Assert.Throws<OckamDecodeException>(() => bob.UnprotectPrivate(Forge(new SenderData(Alice, 0, new byte[4]), ciphertext)));
        Assert.Equal(0u, bobTree.Ratchet(Alice, RatchetType.Application).Generation);
    }

    [Fact]
    public void Sender_data_naming_a_blank_leaf_or_one_outside_the_tree_is_refused()
    {
        var (bob, _) = ViewOf();
        foreach (var leaf in new[] { Blank, new LeafIndex(4), new LeafIndex(uint.MaxValue) })
        {
            var forged = Forge(new SenderData(leaf, 0, new byte[4]), RandomNumberGenerator.GetBytes(64));
            Assert.Throws<MlsCryptoException>(() => bob.UnprotectPrivate(forged));
        }
    }

    [Fact]
    public void A_public_message_with_a_tampered_membership_tag_or_anothers_signature_is_refused()
    {
        var (alice, _) = ViewOf();
        var (bob, _) = ViewOf();
        var (carol, _) = ViewOf();
        var genuine = alice.ProtectPublic(RemoveProposal(Alice), signatureKeys[Alice], null);
        Assert.Equal(ContentType.Proposal, bob.UnprotectPublic(genuine).Content.ContentType);

        Assert.Throws<MlsCryptoException>(() => bob.UnprotectPublic(new PublicMessage(genuine.Content, genuine.Auth, Flipped(genuine.MembershipTag!.Value, 0))));
        Assert.Throws<MlsCryptoException>(() => bob.UnprotectPublic(new PublicMessage(genuine.Content, new FramedContentAuthData(Flipped(genuine.Auth.Signature, 0), null), genuine.MembershipTag)));

        // Carol holds the membership key, so her tag is good; the signature is hers, not Alice's.
        var forged = carol.ProtectPublic(RemoveProposal(Alice), signatureKeys[Carol], null);
        Assert.Throws<MlsCryptoException>(() => bob.UnprotectPublic(forged));

        // An outsider without the membership key cannot make the tag, even with Alice's signature.
        var otherKey = vault.ImportEphemeralKey(KeyType.Secret, RandomNumberGenerator.GetBytes(32));
        var outsider = new MessageProtection(vault, context, senderDataSecret, otherKey, Tree(), this);
        Assert.Throws<MlsCryptoException>(() => bob.UnprotectPublic(outsider.ProtectPublic(RemoveProposal(Alice), signatureKeys[Alice], null)));
    }

    bool ILeafSignatureKeys.TryGetSignatureKey(LeafIndex leaf, out ReadOnlyMemory<byte> signatureKey)
    {
        signatureKey = signatureKeys.TryGetValue(leaf, out var key) ? vault.GetPublicKey(key) : ReadOnlyMemory<byte>.Empty;
        return signatureKeys.ContainsKey(leaf);
    }

    public void Dispose()
    {
        foreach (var tree in trees)
        {
            tree.Dispose();
        }

        vault.Dispose();
    }

    private static byte[] Flipped(ReadOnlyMemory<byte> bytes, int at)
    {
        var copy = bytes.ToArray();
        copy[at] ^= 0x01;
        return copy;
    }

    private static string Read(MessageProtection receiver, PrivateMessage message) =>
        System.Text.Encoding.UTF8.GetString(receiver.UnprotectPrivate(message).Content.ApplicationData.Span);

    // One member's view of the epoch: their own secret tree over the shared secrets.
    private (MessageProtection Protection, SecretTree Tree) ViewOf()
    {
        var tree = Tree();
        return (new MessageProtection(vault, context, senderDataSecret, membershipKey, tree, this), tree);
    }

    private SecretTree Tree()
    {
        var tree = new SecretTree(vault, Suite, vault.ImportEphemeralKey(KeyType.Secret, encryptionSecret), 4);
        trees.Add(tree);
        return tree;
    }

    private FramedContent Application(LeafIndex from, string text) =>
        FramedContent.Application(context.GroupId.ToArray(), context.Epoch, Sender.Member(from), ReadOnlyMemory<byte>.Empty, System.Text.Encoding.UTF8.GetBytes(text));

    private FramedContent RemoveProposal(LeafIndex from) =>
        FramedContent.OfProposal(context.GroupId.ToArray(), context.Epoch, Sender.Member(from), ReadOnlyMemory<byte>.Empty, MlsReader.DecodeExact(Convert.FromHexString("000300000002"), Proposal.Read));

    private PrivateMessage Send(MessageProtection sender, LeafIndex from, string text) =>
        sender.ProtectPrivate(Application(from, text), signatureKeys[from], null, 0);

    private byte[] ContentAad()
    {
        var writer = new MlsWriter();
        writer.WriteVector(context.GroupId);
        writer.WriteUInt64(context.Epoch);
        writer.WriteUInt8((byte)ContentType.Application);
        writer.WriteVector([]);
        return writer.ToArray();
    }

    // An application PrivateMessage around ciphertext of the forger's choosing, with sender data that decrypts:
    // what an insider, who holds the sender_data_secret, can send.
    private PrivateMessage Forge(SenderData senderData, byte[] ciphertext)
    {
        var key = SenderDataKey.Derive(vault, Suite, senderDataSecret, ciphertext);
        var writer = new MlsWriter();
        writer.WriteVector(context.GroupId);
        writer.WriteUInt64(context.Epoch);
        writer.WriteUInt8((byte)ContentType.Application);
        var encrypted = new byte[SenderData.EncodedSize + Aead.TagSize];
        vault.Encrypt(key.Key, key.Nonce.Span, senderData.Encode(), writer.ToArray(), encrypted);
        vault.DeleteEphemeralKey(key.Key);
        return new PrivateMessage(context.GroupId.ToArray(), context.Epoch, ContentType.Application, ReadOnlyMemory<byte>.Empty, encrypted, ciphertext);
    }
}
