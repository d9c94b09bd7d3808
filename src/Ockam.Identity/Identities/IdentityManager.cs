using Ockam.Identity.Encoding;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Identities;

/// <summary>Creates, rotates and revokes identities whose keys live in a vault, and attests their purpose keys.</summary>
public sealed class IdentityManager(IVault vault, TimeProvider time)
{
    /// <summary>How long a primary key stays valid unless told otherwise.</summary>
    public static readonly TimeSpan DefaultPrimaryKeyLifetime = TimeSpan.FromDays(5 * 365);

    public async Task<LocalIdentity> CreateAsync(TimeSpan? lifetime = null, CancellationToken cancellationToken = default) =>
        SelfSigned(await vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Persistent, cancellationToken).ConfigureAwait(false), lifetime);

    /// <summary>
    /// A new identity (as <see cref="CreateAsync"/>) with persistent keys for <paramref name="purposes"/> attested by it,
    /// all generated together: a persistent vault stores the primary key and the purpose keys with one durable write,
    /// where creating the identity and then its keys cost two.
    /// </summary>
    public async Task<(LocalIdentity Identity, IReadOnlyList<PurposeKey> PurposeKeys)> CreateWithPurposeKeysAsync(
        IReadOnlyList<Purpose> purposes, TimeSpan purposeKeyLifetime, TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(purposes);
        var keys = await vault.GenerateKeysAsync([KeyType.Ed25519, .. purposes.Select(KeyTypeFor)], KeyPersistence.Persistent, cancellationToken).ConfigureAwait(false);
        var identity = SelfSigned(keys[0], lifetime);
        return (identity, Attested(identity, purposes, [.. keys.Skip(1)], purposeKeyLifetime));
    }

    /// <summary>Appends a change to a fresh primary key, signed by the old and the new key; the old key is deleted.</summary>
    public async Task<LocalIdentity> RotateAsync(LocalIdentity identity, bool revokePurposeKeys = false, TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var next = await AppendAsync(identity, revoked: false, revokePurposeKeys, lifetime ?? DefaultPrimaryKeyLifetime, cancellationToken).ConfigureAwait(false);
        await vault.DeleteKeyAsync(identity.PrimaryKey, cancellationToken).ConfigureAwait(false);
        return next;
    }

    /// <summary>Appends the final, revoking change; afterwards no key of this identity is valid, so both keys are deleted.</summary>
    public async Task<ChangeHistory> RevokeAsync(LocalIdentity identity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var revoked = await AppendAsync(identity, revoked: true, revokePurposeKeys: true, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        await vault.DeleteKeyAsync(identity.PrimaryKey, cancellationToken).ConfigureAwait(false);
        await vault.DeleteKeyAsync(revoked.PrimaryKey, cancellationToken).ConfigureAwait(false);
        return revoked.History;
    }

    /// <summary>Generates a key for <paramref name="purpose"/> and attests it with the identity's current primary key.</summary>
    public async Task<PurposeKey> CreatePurposeKeyAsync(LocalIdentity identity, Purpose purpose, TimeSpan lifetime, KeyPersistence persistence = KeyPersistence.Persistent, CancellationToken cancellationToken = default) =>
        (await CreatePurposeKeysAsync(identity, [purpose], lifetime, persistence, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// As <see cref="CreatePurposeKeyAsync"/> for each of <paramref name="purposes"/>, in order: the keys are generated
    /// together, so a persistent vault stores them with one write.
    /// </summary>
    public async Task<IReadOnlyList<PurposeKey>> CreatePurposeKeysAsync(LocalIdentity identity, IReadOnlyList<Purpose> purposes, TimeSpan lifetime, KeyPersistence persistence = KeyPersistence.Persistent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(purposes);
        var keys = await vault.GenerateKeysAsync([.. purposes.Select(KeyTypeFor)], persistence, cancellationToken).ConfigureAwait(false);
        return Attested(identity, purposes, keys, lifetime);
    }

    /// <summary>Signs an attestation of <paramref name="publicKey"/> for <paramref name="purpose"/>.</summary>
    public PurposeKeyAttestation Attest(LocalIdentity identity, Purpose purpose, byte[] publicKey, DateTimeOffset createdAt, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(publicKey);
        var data = PurposeKeyAttestation.EncodeData(
            identity.Identifier,
            ChangeHistory.ChangeHash(identity.History.Latest),
            purpose,
            publicKey,
            Timestamp.Truncate(createdAt),
            Timestamp.Truncate(expiresAt));
        return new PurposeKeyAttestation(data, vault.Sign(identity.PrimaryKey, SigningDomain.ToBeSigned(SigningDomain.Attestation, data)));
    }

    private async Task<LocalIdentity> AppendAsync(LocalIdentity identity, bool revoked, bool revokePurposeKeys, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var previous = identity.History.Latest;
        if (previous.Data.Revoked)
        {
            throw new IdentityException(IdentityError.ChangeAfterRevocation, $"{identity.Identifier} is already revoked");
        }

        var persistence = revoked ? KeyPersistence.Ephemeral : KeyPersistence.Persistent;
        var key = await vault.GenerateKeyAsync(KeyType.Ed25519, persistence, cancellationToken).ConfigureAwait(false);

        // A clock that stepped back must not produce a change older than its predecessor.
        var now = Now();
        var created = now < previous.Data.CreatedAt ? previous.Data.CreatedAt : now;
        var data = new ChangeData(ByteString.Own(ChangeHistory.ChangeHash(previous)), ByteString.Own(vault.GetPublicKey(key)), created, created + lifetime, revoked, revokePurposeKeys);
        var encoded = data.Encode();
        var signed = SigningDomain.ToBeSigned(SigningDomain.Change, encoded);
        var change = new Change(encoded, data, vault.Sign(key, signed), vault.Sign(identity.PrimaryKey, signed));
        return new LocalIdentity(identity.History.Append(change), key);
    }

    private static KeyType KeyTypeFor(Purpose purpose) =>
        purpose is Purpose.SecureChannelStatic or Purpose.GroupKeyAgreement ? KeyType.X25519 : KeyType.Ed25519;

    /// <summary>Each of <paramref name="keys"/> (one per purpose, in order) attested for its purpose, valid from now for <paramref name="lifetime"/>.</summary>
    private PurposeKey[] Attested(LocalIdentity identity, IReadOnlyList<Purpose> purposes, IReadOnlyList<KeyHandle> keys, TimeSpan lifetime)
    {
        var now = Now();
        return [.. purposes.Select((purpose, i) => new PurposeKey(keys[i], Attest(identity, purpose, vault.GetPublicKey(keys[i]), now, now + lifetime)))];
    }

    /// <summary>The identity whose first change makes <paramref name="key"/> its primary key, self-signed.</summary>
    private LocalIdentity SelfSigned(KeyHandle key, TimeSpan? lifetime)
    {
        var now = Now();
        var data = new ChangeData(null, ByteString.Own(vault.GetPublicKey(key)), now, now + (lifetime ?? DefaultPrimaryKeyLifetime), Revoked: false, RevokePurposeKeys: false);
        var encoded = data.Encode();
        var change = new Change(encoded, data, vault.Sign(key, SigningDomain.ToBeSigned(SigningDomain.Change, encoded)), null);
        return new LocalIdentity(new ChangeHistory([change]), key);
    }

    private DateTimeOffset Now() => Timestamp.Truncate(time.GetUtcNow());
}
