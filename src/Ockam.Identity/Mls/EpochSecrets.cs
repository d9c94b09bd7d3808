using System.Security.Cryptography;
using Ockam.Identity.Hpke;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// The secrets of one epoch (RFC 9420 §8), all vault handles that this object owns:
/// <code>
/// joiner_secret  = ExpandWithLabel(KDF.Extract(init_secret_[n-1], commit_secret), "joiner", GroupContext_[n], KDF.Nh)
/// psk extracted  = KDF.Extract(joiner_secret, psk_secret)
/// welcome_secret = DeriveSecret(psk extracted, "welcome")
/// epoch_secret   = ExpandWithLabel(psk extracted, "epoch", GroupContext_[n], KDF.Nh)
/// </code>
/// and from epoch_secret, by DeriveSecret, the secrets of §8 Table 4. The epoch_secret itself is deleted
/// once they are derived.
/// <para>
/// Restored from saved state (<see cref="Restore"/>), an epoch holds only what a member still needs once the epoch
/// has begun: not joiner_secret and welcome_secret (used to enter it), encryption_secret (the secret tree's, which
/// holds what is left of it) nor resumption_psk (the group's history of them holds it).
/// </para>
/// </summary>
internal sealed class EpochSecrets : IDisposable
{
    private readonly IVault vault;
    private readonly CipherSuite suite;
    private readonly KeyHandle externalKey;
    private readonly KeyHandle? joinerSecret;
    private readonly KeyHandle? welcomeSecret;
    private readonly KeyHandle? encryptionSecret;
    private readonly KeyHandle? resumptionPsk;
    private bool resumptionPskTaken;
    private bool disposed;

    private EpochSecrets(IVault vault, CipherSuite suite, KeyHandle joinerSecret, KeyHandle welcomeSecret, KeyHandle epochSecret)
    {
        this.vault = vault;
        this.suite = suite;
        this.joinerSecret = joinerSecret;
        this.welcomeSecret = welcomeSecret;
        SenderDataSecret = Derive(epochSecret, "sender data");
        encryptionSecret = Derive(epochSecret, "encryption");
        ExporterSecret = Derive(epochSecret, "exporter");
        ExternalSecret = Derive(epochSecret, "external");
        ConfirmationKey = Derive(epochSecret, "confirm");
        MembershipKey = Derive(epochSecret, "membership");
        resumptionPsk = Derive(epochSecret, "resumption");
        EpochAuthenticator = Derive(epochSecret, "authentication");
        InitSecret = Derive(epochSecret, "init");
        externalKey = Hpke.Hpke.DeriveKeyPair(vault, ExternalSecret);
        ExternalPub = vault.GetPublicKey(externalKey);
    }

    private EpochSecrets(IVault vault, CipherSuite suite, KeyHandle senderDataSecret, KeyHandle exporterSecret, KeyHandle externalSecret, KeyHandle confirmationKey, KeyHandle membershipKey, KeyHandle epochAuthenticator, KeyHandle initSecret)
    {
        this.vault = vault;
        this.suite = suite;
        SenderDataSecret = senderDataSecret;
        ExporterSecret = exporterSecret;
        ExternalSecret = externalSecret;
        ConfirmationKey = confirmationKey;
        MembershipKey = membershipKey;
        EpochAuthenticator = epochAuthenticator;
        InitSecret = initSecret;
        resumptionPskTaken = true;
        externalKey = Hpke.Hpke.DeriveKeyPair(vault, ExternalSecret);
        ExternalPub = vault.GetPublicKey(externalKey);
    }

    /// <exception cref="InvalidOperationException">The epoch was restored from saved state, which does not keep it.</exception>
    public KeyHandle JoinerSecret => joinerSecret ?? throw NotRestored("joiner_secret");

    /// <exception cref="InvalidOperationException">The epoch was restored from saved state, which does not keep it.</exception>
    public KeyHandle WelcomeSecret => welcomeSecret ?? throw NotRestored("welcome_secret");

    public KeyHandle SenderDataSecret { get; }

    /// <summary>The root of the epoch's secret tree, which the tree owns once it is built.</summary>
    /// <exception cref="InvalidOperationException">The epoch was restored from saved state, which does not keep it.</exception>
    public KeyHandle EncryptionSecret => encryptionSecret ?? throw NotRestored("encryption_secret");

    public KeyHandle ExporterSecret { get; }

    public KeyHandle ExternalSecret { get; }

    public KeyHandle ConfirmationKey { get; }

    public KeyHandle MembershipKey { get; }

    /// <exception cref="InvalidOperationException">The epoch was restored from saved state, which does not keep it.</exception>
    public KeyHandle ResumptionPsk => resumptionPsk ?? throw NotRestored("resumption_psk");

    public KeyHandle EpochAuthenticator { get; }

    /// <summary>init_secret_[n], the input to the next epoch's key schedule.</summary>
    public KeyHandle InitSecret { get; }

    /// <summary>external_pub = KEM.DeriveKeyPair(external_secret)'s public key (§8.3), published for external joins.</summary>
    public byte[] ExternalPub { get; }

    /// <summary>
    /// The epoch that <paramref name="initSecret"/> (the previous epoch's init_secret, or a random one for a new group),
    /// <paramref name="commitSecret"/>, <paramref name="pskSecret"/> and the new <paramref name="groupContext"/> lead to.
    /// The inputs are not consumed.
    /// </summary>
    /// <exception cref="MlsCryptoException">The group context names a cipher suite this implementation does not support.</exception>
    public static EpochSecrets Derive(IVault vault, KeyHandle initSecret, KeyHandle commitSecret, KeyHandle pskSecret, GroupContext groupContext)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(initSecret);
        ArgumentNullException.ThrowIfNull(commitSecret);
        ArgumentNullException.ThrowIfNull(groupContext);
        var suite = CipherSuite.FromId(groupContext.CipherSuite);
        var extracted = vault.HkdfExtract(initSecret, [], [commitSecret]);
        KeyHandle joinerSecret;
        try
        {
            joinerSecret = KeyDerivation.ExpandWithLabel(vault, extracted, "joiner", groupContext.Encode(), suite.SecretSpec);
        }
        finally
        {
            vault.DeleteEphemeralKey(extracted);
        }

        return FromJoinerSecret(vault, joinerSecret, pskSecret, groupContext);
    }

    /// <summary>The epoch a joiner reaches from a Welcome's <paramref name="joinerSecret"/>, which the result now owns.</summary>
    /// <exception cref="MlsCryptoException">The group context names a cipher suite this implementation does not support.</exception>
    public static EpochSecrets FromJoinerSecret(IVault vault, KeyHandle joinerSecret, KeyHandle pskSecret, GroupContext groupContext)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(joinerSecret);
        ArgumentNullException.ThrowIfNull(pskSecret);
        ArgumentNullException.ThrowIfNull(groupContext);
        var suite = CipherSuite.FromId(groupContext.CipherSuite);
        var extracted = vault.HkdfExtract(joinerSecret, [], [pskSecret]);
        KeyHandle? epochSecret = null;
        try
        {
            var welcomeSecret = KeyDerivation.DeriveSecret(vault, suite, extracted, "welcome");
            epochSecret = KeyDerivation.ExpandWithLabel(vault, extracted, "epoch", groupContext.Encode(), suite.SecretSpec);
            return new EpochSecrets(vault, suite, joinerSecret, welcomeSecret, epochSecret);
        }
        finally
        {
            vault.DeleteEphemeralKey(extracted);
            if (epochSecret is not null)
            {
                vault.DeleteEphemeralKey(epochSecret);
            }
        }
    }

    /// <summary>
    /// The secrets of an epoch that has begun, restored from saved state: the result owns them, and derives
    /// external_pub again from <paramref name="externalSecret"/>.
    /// </summary>
    public static EpochSecrets Restore(
        IVault vault, CipherSuite suite, KeyHandle senderDataSecret, KeyHandle exporterSecret, KeyHandle externalSecret, KeyHandle confirmationKey, KeyHandle membershipKey, KeyHandle epochAuthenticator, KeyHandle initSecret)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        foreach (var secret in new[] { senderDataSecret, exporterSecret, externalSecret, confirmationKey, membershipKey, epochAuthenticator, initSecret })
        {
            ArgumentNullException.ThrowIfNull(secret);
        }

        return new EpochSecrets(vault, suite, senderDataSecret, exporterSecret, externalSecret, confirmationKey, membershipKey, epochAuthenticator, initSecret);
    }

    /// <summary>
    /// <c>MLS-Exporter(Label, Context, Length) = ExpandWithLabel(DeriveSecret(exporter_secret, Label), "exported", Hash(Context), Length)</c>
    /// (§8.5), as a new vault secret the caller owns.
    /// </summary>
    public KeyHandle Export(ReadOnlySpan<byte> label, ReadOnlySpan<byte> context, int length)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var derived = KeyDerivation.DeriveSecret(vault, suite, ExporterSecret, label);
        try
        {
            return KeyDerivation.ExpandWithLabel(vault, derived, "exported", SHA256.HashData(context), new KeySpec(KeyType.Secret, length));
        }
        finally
        {
            vault.DeleteEphemeralKey(derived);
        }
    }

    /// <summary>
    /// Hands resumption_psk over to the caller, who keeps it past this epoch — members keep the resumption PSKs of
    /// earlier epochs for later commits to inject (§8.4) — and deletes it; <see cref="Dispose"/> no longer does.
    /// </summary>
    public KeyHandle TakeResumptionPsk()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (resumptionPskTaken)
        {
            throw new InvalidOperationException("the resumption PSK was already taken");
        }

        resumptionPskTaken = true;
        return resumptionPsk!;
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (var secret in new[] { joinerSecret, welcomeSecret, SenderDataSecret, encryptionSecret, ExporterSecret, ExternalSecret, ConfirmationKey, MembershipKey, resumptionPskTaken ? null : resumptionPsk, EpochAuthenticator, InitSecret, externalKey })
        {
            if (secret is not null && vault.Contains(secret))
            {
                vault.DeleteEphemeralKey(secret);
            }
        }
    }

    private static InvalidOperationException NotRestored(string name) =>
        new($"the epoch was restored from saved state, which does not keep its {name}");

    private KeyHandle Derive(KeyHandle epochSecret, string label) => KeyDerivation.DeriveSecret(vault, suite, epochSecret, label);
}
