using Ockam.Grains.Authority;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Messaging.Nodes;

namespace Ockam.Silo.Identities;

/// <summary>
/// The silo's two identities, kept in the data directory's vault: the silo's own (edge nodes open secure
/// channels to it) and the authority's (it signs credentials). The first start creates both.
/// </summary>
internal sealed class SiloIdentities : IDisposable
{
    private static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(365);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private SiloIdentities(NodeHome home, LocalIdentity silo, PurposeKey staticKey, AuthorityKeys authority, bool created)
    {
        Home = home;
        Silo = silo;
        StaticKey = staticKey;
        Authority = authority;
        Created = created;
    }

    public NodeHome Home { get; }

    public LocalIdentity Silo { get; }

    /// <summary>The silo's X25519 secure-channel key, attested by <see cref="Silo"/>.</summary>
    public PurposeKey StaticKey { get; }

    public AuthorityKeys Authority { get; }

    /// <summary>True when this start created the identities (a first start).</summary>
    public bool Created { get; }

    public static async Task<SiloIdentities> LoadAsync(string directory, string authorityName, TimeProvider time, CancellationToken cancellationToken)
    {
        var home = await NodeHome.OpenAsync(directory, time, cancellationToken).ConfigureAwait(false);
        var created = !File.Exists(Path.Combine(directory, "identities.cbor"));
        var silo = await home.GetOrCreateIdentityAsync("silo", cancellationToken).ConfigureAwait(false);
        var staticKey = await home.GetOrCreatePurposeKeyAsync("silo", Purpose.SecureChannelStatic, KeyLifetime, RenewBefore, cancellationToken).ConfigureAwait(false);
        var authority = await home.GetOrCreateIdentityAsync("authority", cancellationToken).ConfigureAwait(false);
        var signing = await home.GetOrCreatePurposeKeyAsync("authority", Purpose.CredentialSigning, KeyLifetime, RenewBefore, cancellationToken).ConfigureAwait(false);
        var issuer = new CredentialIssuer(home.Vault, authority, signing, time);
        return new SiloIdentities(home, silo, staticKey, new AuthorityKeys(authorityName, issuer), created);
    }

    public void Dispose() => Home.Dispose();
}
