using System.Text.Json;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg interop vectors message-protection.json (RFC 9420 §6.1–6.3) for cipher suite 1, per test-vectors.md's
/// Verification: with a GroupContext of the vector's values and empty extensions, a secret tree of 2 members from
/// encryption_secret and leaf 1 as the sender, for each of proposal, commit and application: the <c>pub</c> message
/// verifies with membership_key and signature_pub and holds the raw value; protecting the raw value as a
/// PublicMessage gives one that verifies (refused for application); the <c>priv</c> message unprotects with the tree
/// and signature_pub; protecting the raw value as a PrivateMessage gives one that unprotects.
/// </summary>
public sealed class MessageProtectionVectorTests
{
    private const int SuiteOneCases = 1;

    private static readonly CipherSuite Suite = CipherSuite.Mls128DhKemX25519Aes128GcmSha256Ed25519;
    private static readonly LeafIndex SenderLeaf = new(1);

    [Fact]
    public void Every_message_of_the_suite_1_vector_unprotects_and_every_raw_value_round_trips()
    {
        using var document = TestVectors.Load("mls/message-protection.json");
        var cases = 0;
        foreach (var vector in document.RootElement.EnumerateArray().Where(v => v.GetProperty("cipher_suite").GetUInt16() == Suite.Id))
        {
            using var vault = new SoftwareVault();
            var proposal = MlsReader.DecodeExact(vector.Hex("proposal"), Proposal.Read);
            var commit = Commit.Decode(vector.Hex("commit"));
            var application = vector.Hex("application");

            // Proposal: pub, protect as public, priv, protect as private.
            Assert.Equal(vector.Hex("proposal"), Encoded(UnprotectPublic(vault, vector, "proposal_pub").Content.Proposal!.Write));
            var proposalContent = Content(vector, g => FramedContent.OfProposal(g.GroupId.ToArray(), g.Epoch, Sender.Member(SenderLeaf), ReadOnlyMemory<byte>.Empty, proposal));
            Assert.Equal(vector.Hex("proposal"), Encoded(PublicRoundTrip(vault, vector, proposalContent, null).Content.Proposal!.Write));
            Assert.Equal(vector.Hex("proposal"), Encoded(UnprotectPrivate(vault, vector, "proposal_priv").Content.Proposal!.Write));
            Assert.Equal(vector.Hex("proposal"), Encoded(PrivateRoundTrip(vault, vector, proposalContent, null).Content.Proposal!.Write));

            // Commit: the same, with the confirmation tag the vector's commit carries.
            var publicCommit = UnprotectPublic(vault, vector, "commit_pub");
            Assert.Equal(vector.Hex("commit"), publicCommit.Content.Commit!.Encode());
            var tag = publicCommit.Auth.ConfirmationTag;
            var commitContent = Content(vector, g => FramedContent.OfCommit(g.GroupId.ToArray(), g.Epoch, Sender.Member(SenderLeaf), ReadOnlyMemory<byte>.Empty, commit));
            Assert.Equal(vector.Hex("commit"), PublicRoundTrip(vault, vector, commitContent, tag).Content.Commit!.Encode());
            var privateCommit = UnprotectPrivate(vault, vector, "commit_priv");
            Assert.Equal(vector.Hex("commit"), privateCommit.Content.Commit!.Encode());
            Assert.Equal(tag!.Value.ToArray(), privateCommit.Auth.ConfirmationTag!.Value.ToArray());
            Assert.Equal(vector.Hex("commit"), PrivateRoundTrip(vault, vector, commitContent, tag).Content.Commit!.Encode());

            // Application: never public; priv, protect as private.
            var applicationContent = Content(vector, g => FramedContent.Application(g.GroupId.ToArray(), g.Epoch, Sender.Member(SenderLeaf), ReadOnlyMemory<byte>.Empty, application));
            using (var sender = new VectorEpoch(vault, vector))
            {
                Assert.Throws<ArgumentException>(() => sender.Protection.ProtectPublic(applicationContent, sender.SignatureKey, null));
            }

            Assert.Equal(application, UnprotectPrivate(vault, vector, "application_priv").Content.ApplicationData.ToArray());
            Assert.Equal(application, PrivateRoundTrip(vault, vector, applicationContent, null).Content.ApplicationData.ToArray());

            // Every key derived, opened or kept on the way was deleted, by the protection or by the trees.
            Assert.Equal(0, vault.Count);
            cases++;
        }

        Assert.Equal(SuiteOneCases, cases);
    }

    private static FramedContent Content(JsonElement vector, Func<GroupContext, FramedContent> make) => make(VectorEpoch.Context(vector));

    private static byte[] Encoded(Action<MlsWriter> write)
    {
        var writer = new MlsWriter();
        write(writer);
        return writer.ToArray();
    }

    private static AuthenticatedContent UnprotectPublic(SoftwareVault vault, JsonElement vector, string field)
    {
        using var receiver = new VectorEpoch(vault, vector);
        var message = MlsMessage.Decode(vector.Hex(field));
        Assert.Equal(WireFormat.PublicMessage, message.WireFormat);
        return receiver.Protection.UnprotectPublic(message.PublicMessage!);
    }

    private static AuthenticatedContent UnprotectPrivate(SoftwareVault vault, JsonElement vector, string field)
    {
        using var receiver = new VectorEpoch(vault, vector);
        var message = MlsMessage.Decode(vector.Hex(field));
        Assert.Equal(WireFormat.PrivateMessage, message.WireFormat);
        return receiver.Protection.UnprotectPrivate(message.PrivateMessage!);
    }

    // Protects as the sender's epoch, sends through the wire encoding, unprotects as a receiver's.
    private static AuthenticatedContent PublicRoundTrip(SoftwareVault vault, JsonElement vector, FramedContent content, ReadOnlyMemory<byte>? confirmationTag)
    {
        using var sender = new VectorEpoch(vault, vector);
        using var receiver = new VectorEpoch(vault, vector);
        var sent = MlsMessage.Of(sender.Protection.ProtectPublic(content, sender.SignatureKey, confirmationTag)).Encode();
        return receiver.Protection.UnprotectPublic(MlsMessage.Decode(sent).PublicMessage!);
    }

    private static AuthenticatedContent PrivateRoundTrip(SoftwareVault vault, JsonElement vector, FramedContent content, ReadOnlyMemory<byte>? confirmationTag)
    {
        using var sender = new VectorEpoch(vault, vector);
        using var receiver = new VectorEpoch(vault, vector);
        var sent = MlsMessage.Of(sender.Protection.ProtectPrivate(content, sender.SignatureKey, confirmationTag, paddingLength: 13)).Encode();
        return receiver.Protection.UnprotectPrivate(MlsMessage.Decode(sent).PrivateMessage!);
    }

    // One member's view of the vector's epoch: its own secret tree of 2 leaves, the sender at leaf 1, leaf 0 blank.
    private sealed class VectorEpoch : IDisposable, ILeafSignatureKeys
    {
        private readonly SoftwareVault vault;
        private readonly SecretTree tree;
        private readonly KeyHandle senderDataSecret;
        private readonly KeyHandle membershipKey;
        private readonly byte[] signaturePublicKey;

        public VectorEpoch(SoftwareVault vault, JsonElement vector)
        {
            this.vault = vault;
            tree = new SecretTree(vault, Suite, vault.ImportEphemeralKey(KeyType.Secret, vector.Hex("encryption_secret")), 2);
            signaturePublicKey = vector.Hex("signature_pub");
            SignatureKey = vault.ImportEphemeralKey(KeyType.Ed25519, vector.Hex("signature_priv"));
            Assert.Equal(signaturePublicKey, vault.GetPublicKey(SignatureKey));
            senderDataSecret = vault.ImportEphemeralKey(KeyType.Secret, vector.Hex("sender_data_secret"));
            membershipKey = vault.ImportEphemeralKey(KeyType.Secret, vector.Hex("membership_key"));
            Protection = new MessageProtection(vault, Context(vector), senderDataSecret, membershipKey, tree, this);
        }

        public KeyHandle SignatureKey { get; }

        public MessageProtection Protection { get; }

        public static GroupContext Context(JsonElement vector) =>
            new(Suite.Id, vector.Hex("group_id"), vector.GetProperty("epoch").GetUInt64(), vector.Hex("tree_hash"), vector.Hex("confirmed_transcript_hash"), []);

        public bool TryGetSignatureKey(LeafIndex leaf, out ReadOnlyMemory<byte> signatureKey)
        {
            signatureKey = leaf == SenderLeaf ? signaturePublicKey : ReadOnlyMemory<byte>.Empty;
            return leaf == SenderLeaf;
        }

        // The tree owns the encryption secret; the rest, like an epoch's, is deleted by whoever imported it.
        public void Dispose()
        {
            tree.Dispose();
            vault.DeleteEphemeralKey(senderDataSecret);
            vault.DeleteEphemeralKey(membershipKey);
            vault.DeleteEphemeralKey(SignatureKey);
        }
    }
}
