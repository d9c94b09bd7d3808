using System.Security.Cryptography;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// Protects content as PublicMessage or PrivateMessage and unprotects received ones (RFC 9420 §6.1–6.3), for one
/// epoch of one group. It holds the epoch's <see cref="GroupContext"/>, sender_data_secret, membership_key and
/// <see cref="SecretTree"/> without owning them: the epoch does.
/// <para>
/// Unprotecting a PrivateMessage moves the sender's ratchet only once the content has decrypted, decoded and its
/// signature verified (<see cref="HashRatchet.Open"/>): a forged message — a guessed or maximal generation,
/// garbage ciphertext, altered sender data — is refused with the receiver exactly where it was, so whoever can
/// reach the inbox (the Delivery Service included) cannot silence a sender by making the receiver skip its keys.
/// </para>
/// </summary>
internal sealed class MessageProtection
{
    private readonly IVault vault;
    private readonly CipherSuite suite;
    private readonly GroupContext groupContext;
    private readonly byte[] encodedGroupContext;
    private readonly KeyHandle senderDataSecret;
    private readonly KeyHandle membershipKey;
    private readonly SecretTree secretTree;
    private readonly ILeafSignatureKeys members;

    public MessageProtection(IVault vault, GroupContext groupContext, KeyHandle senderDataSecret, KeyHandle membershipKey, SecretTree secretTree, ILeafSignatureKeys members)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(groupContext);
        ArgumentNullException.ThrowIfNull(senderDataSecret);
        ArgumentNullException.ThrowIfNull(membershipKey);
        ArgumentNullException.ThrowIfNull(secretTree);
        ArgumentNullException.ThrowIfNull(members);
        this.vault = vault;
        suite = CipherSuite.FromId(groupContext.CipherSuite);
        this.groupContext = groupContext;
        encodedGroupContext = groupContext.Encode();
        this.senderDataSecret = senderDataSecret;
        this.membershipKey = membershipKey;
        this.secretTree = secretTree;
        this.members = members;
    }

    /// <summary>
    /// Signs <paramref name="content"/> (a proposal or commit of this epoch) with <paramref name="signatureKey"/> as a
    /// PublicMessage, with a membership tag when the sender is a member. A commit carries its <paramref name="confirmationTag"/>.
    /// Application content is refused: it is only ever sent encrypted (§6.2).
    /// </summary>
    public PublicMessage ProtectPublic(FramedContent content, KeyHandle signatureKey, ReadOnlyMemory<byte>? confirmationTag)
    {
        ArgumentNullException.ThrowIfNull(content);
        RequireThisEpoch(content.GroupId.Span, content.Epoch);
        if (content.ContentType == ContentType.Application)
        {
            throw new ArgumentException("application content is only sent as a PrivateMessage", nameof(content));
        }

        var authenticated = AuthenticatedContent.Sign(vault, signatureKey, WireFormat.PublicMessage, content, SignedContext(content.Sender), confirmationTag);
        ReadOnlyMemory<byte>? tag = content.Sender.SenderType == SenderType.Member
            ? MembershipTag.Compute(vault, membershipKey, authenticated, encodedGroupContext)
            : null;
        return new PublicMessage(content, authenticated.Auth, tag);
    }

    /// <summary>The content of a PublicMessage from a member, once its membership tag and its signature under the sender leaf's key verify.</summary>
    /// <exception cref="MlsCryptoException">The message is of another group or epoch, carries application content, is not from a member, names a blank leaf or one outside the tree, or its membership tag or signature does not verify.</exception>
    public AuthenticatedContent UnprotectPublic(PublicMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Content.Sender.SenderType != SenderType.Member)
        {
            throw new MlsCryptoException($"a PublicMessage from a {message.Content.Sender.SenderType} sender needs the signature key the group layer resolves for it");
        }

        var signatureKey = MemberSignatureKey(new LeafIndex(message.Content.Sender.Index));
        return UnprotectPublic(message, signatureKey.Span);
    }

    /// <summary>
    /// The content of a PublicMessage whose signature verifies under <paramref name="signaturePublicKey"/> — for a
    /// sender that is not a member (external, new_member_proposal, new_member_commit), the key the group layer takes
    /// from the external_senders extension, the Add's KeyPackage or the Commit's path (§6.1) — and, from a member,
    /// whose membership tag verifies as well.
    /// </summary>
    /// <exception cref="MlsCryptoException">The message is of another group or epoch, carries application content, or its membership tag or signature does not verify.</exception>
    public AuthenticatedContent UnprotectPublic(PublicMessage message, ReadOnlySpan<byte> signaturePublicKey)
    {
        ArgumentNullException.ThrowIfNull(message);
        var content = message.Content;
        RefuseOtherEpoch(content.GroupId.Span, content.Epoch);
        if (content.ContentType == ContentType.Application)
        {
            throw new MlsCryptoException("a PublicMessage carries application content, which is only sent encrypted");
        }

        var authenticated = new AuthenticatedContent(WireFormat.PublicMessage, content, message.Auth);
        if (message.MembershipTag is { } tag)
        {
            // The MAC first: it is cheap, and only members of this epoch can make it.
            MembershipTag.Verify(vault, membershipKey, authenticated, encodedGroupContext, tag.Span);
        }

        authenticated.VerifySignature(vault, signaturePublicKey, SignedContext(content.Sender));
        return authenticated;
    }

    /// <summary>
    /// Signs <paramref name="content"/> of this epoch from this member with <paramref name="signatureKey"/> and encrypts
    /// it, followed by <paramref name="paddingLength"/> zero bytes, under the next generation of the sender's handshake
    /// (proposal, commit) or application ratchet, with a fresh reuse guard. A commit carries its <paramref name="confirmationTag"/>.
    /// </summary>
    /// <exception cref="MlsCryptoException">The sender's ratchet is exhausted.</exception>
    public PrivateMessage ProtectPrivate(FramedContent content, KeyHandle signatureKey, ReadOnlyMemory<byte>? confirmationTag, int paddingLength)
    {
        ArgumentNullException.ThrowIfNull(content);
        RequireThisEpoch(content.GroupId.Span, content.Epoch);
        if (content.Sender.SenderType != SenderType.Member || content.Sender.Index >= secretTree.LeafCount)
        {
            throw new ArgumentException("a PrivateMessage is sent by a member of the tree (§6.3.2)", nameof(content));
        }

        var authenticated = AuthenticatedContent.Sign(vault, signatureKey, WireFormat.PrivateMessage, content, encodedGroupContext, confirmationTag);
        var plaintext = PrivateMessageContent.Encode(content, authenticated.Auth, paddingLength);
        var leaf = new LeafIndex(content.Sender.Index);
        var keyAndNonce = secretTree.Ratchet(leaf, RatchetFor(content.ContentType)).Next();
        byte[] ciphertext;
        SenderData senderData;
        try
        {
            senderData = new SenderData(leaf, keyAndNonce.Generation, RandomNumberGenerator.GetBytes(SenderData.ReuseGuardSize));
            ciphertext = new byte[plaintext.Length + Aead.TagSize];
            vault.Encrypt(keyAndNonce.Key, senderData.GuardNonce(keyAndNonce.Nonce.Span), plaintext, ContentAad(content.GroupId.Span, content.Epoch, content.ContentType, content.AuthenticatedData.Span), ciphertext);
        }
        finally
        {
            vault.DeleteEphemeralKey(keyAndNonce.Key);
        }

        var senderDataKey = SenderDataKey.Derive(vault, suite, senderDataSecret, ciphertext);
        var encryptedSenderData = new byte[SenderData.EncodedSize + Aead.TagSize];
        try
        {
            vault.Encrypt(senderDataKey.Key, senderDataKey.Nonce.Span, senderData.Encode(), SenderDataAad(content.GroupId.Span, content.Epoch, content.ContentType), encryptedSenderData);
        }
        finally
        {
            vault.DeleteEphemeralKey(senderDataKey.Key);
        }

        return new PrivateMessage(content.GroupId, content.Epoch, content.ContentType, content.AuthenticatedData, encryptedSenderData, ciphertext);
    }

    /// <summary>
    /// The content of a PrivateMessage of this epoch: its sender data decrypted, the sender's leaf checked, the
    /// content decrypted under the generation named, decoded, and its signature verified under the sender leaf's
    /// key — and only then is that generation consumed, so it can never be read again.
    /// </summary>
    /// <exception cref="MlsCryptoException">
    /// The message is of another group or epoch; its sender data or content does not decrypt; it names a leaf outside
    /// the tree or a blank one, or a generation consumed already (a replay), no longer kept, or too far ahead; or its
    /// signature does not verify. Nothing has changed.
    /// </exception>
    /// <exception cref="Encoding.OckamDecodeException">The decrypted content is malformed or its padding not zeros. Nothing has changed.</exception>
    public AuthenticatedContent UnprotectPrivate(PrivateMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        RefuseOtherEpoch(message.GroupId.Span, message.Epoch);
        if (message.Ciphertext.Length < Aead.TagSize)
        {
            throw new MlsCryptoException("the PrivateMessage ciphertext is shorter than the AEAD tag");
        }

        var senderData = DecryptSenderData(message);
        var signatureKey = MemberSignatureKey(senderData.LeafIndex);
        using var pending = secretTree.Ratchet(senderData.LeafIndex, RatchetFor(message.ContentType)).Open(senderData.Generation);
        var ciphertext = message.Ciphertext.Span;
        var plaintext = new byte[ciphertext.Length - Aead.TagSize];
        var nonce = senderData.GuardNonce(pending.KeyAndNonce.Nonce.Span);
        if (!vault.TryDecrypt(pending.KeyAndNonce.Key, nonce, ciphertext, ContentAad(message.GroupId.Span, message.Epoch, message.ContentType, message.AuthenticatedData.Span), plaintext))
        {
            throw new MlsCryptoException($"the PrivateMessage content from {senderData.LeafIndex}, generation {senderData.Generation}, does not decrypt");
        }

        var (content, auth) = PrivateMessageContent.Decode(plaintext, message, Sender.Member(senderData.LeafIndex));
        var authenticated = new AuthenticatedContent(WireFormat.PrivateMessage, content, auth);
        authenticated.VerifySignature(vault, signatureKey.Span, encodedGroupContext);
        pending.Consume();
        return authenticated;
    }

    private static RatchetType RatchetFor(ContentType contentType) =>
        contentType == ContentType.Application ? RatchetType.Application : RatchetType.Handshake;

    // PrivateContentAAD: group_id<V>, epoch, content_type, authenticated_data<V> (§6.3.1).
    private static byte[] ContentAad(ReadOnlySpan<byte> groupId, ulong epoch, ContentType contentType, ReadOnlySpan<byte> authenticatedData)
    {
        var writer = new MlsWriter();
        writer.WriteVector(groupId);
        writer.WriteUInt64(epoch);
        writer.WriteUInt8((byte)contentType);
        writer.WriteVector(authenticatedData);
        return writer.ToArray();
    }

    // SenderDataAAD: group_id<V>, epoch, content_type (§6.3.2).
    private static byte[] SenderDataAad(ReadOnlySpan<byte> groupId, ulong epoch, ContentType contentType)
    {
        var writer = new MlsWriter();
        writer.WriteVector(groupId);
        writer.WriteUInt64(epoch);
        writer.WriteUInt8((byte)contentType);
        return writer.ToArray();
    }

    private SenderData DecryptSenderData(PrivateMessage message)
    {
        var encrypted = message.EncryptedSenderData.Span;
        if (encrypted.Length != SenderData.EncodedSize + Aead.TagSize)
        {
            throw new MlsCryptoException($"the encrypted sender data is {encrypted.Length} bytes, not {SenderData.EncodedSize + Aead.TagSize}");
        }

        var key = SenderDataKey.Derive(vault, suite, senderDataSecret, message.Ciphertext.Span);
        var plaintext = new byte[SenderData.EncodedSize];
        try
        {
            if (!vault.TryDecrypt(key.Key, key.Nonce.Span, encrypted, SenderDataAad(message.GroupId.Span, message.Epoch, message.ContentType), plaintext))
            {
                throw new MlsCryptoException("the PrivateMessage sender data does not decrypt");
            }
        }
        finally
        {
            vault.DeleteEphemeralKey(key.Key);
        }

        return SenderData.Decode(plaintext);
    }

    // The sender's leaf must lie in the tree and hold a member (§6.3.2): a blank leaf has no key to verify with, and
    // no ratchet of a leaf outside the tree is ever asked for.
    private ReadOnlyMemory<byte> MemberSignatureKey(LeafIndex leaf)
    {
        if (leaf.Value >= secretTree.LeafCount || !members.TryGetSignatureKey(leaf, out var signatureKey))
        {
            throw new MlsCryptoException($"the sender, {leaf}, is not a member of the group");
        }

        return signatureKey;
    }

    private ReadOnlySpan<byte> SignedContext(Sender sender) => sender.SignsGroupContext ? encodedGroupContext : [];

    private bool IsThisEpoch(ReadOnlySpan<byte> groupId, ulong epoch) => epoch == groupContext.Epoch && groupId.SequenceEqual(groupContext.GroupId);

    private void RequireThisEpoch(ReadOnlySpan<byte> groupId, ulong epoch)
    {
        if (!IsThisEpoch(groupId, epoch))
        {
            throw new ArgumentException($"the content (epoch {epoch}) is not of this group's epoch {groupContext.Epoch}");
        }
    }

    private void RefuseOtherEpoch(ReadOnlySpan<byte> groupId, ulong epoch)
    {
        if (!IsThisEpoch(groupId, epoch))
        {
            throw new MlsCryptoException($"the message is for epoch {epoch} of its group, not epoch {groupContext.Epoch} of this one");
        }
    }
}
