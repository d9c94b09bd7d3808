using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Testing;

/// <summary>Builds identities, issuers and trust contexts for tests on one vault and a manual clock.</summary>
internal sealed class Actors : IDisposable
{
    public Actors()
    {
        Identities = new IdentityManager(Vault, Time);
    }

    public SoftwareVault Vault { get; } = new();

    public ManualTime Time { get; } = new();

    public IdentityManager Identities { get; }

    public DateTimeOffset Now => Time.Now;

    public Task<LocalIdentity> IdentityAsync() => Identities.CreateAsync();

    public VerifiedIdentity Verify(LocalIdentity identity) => identity.History.Verify(Vault, Now);

    public async Task<CredentialIssuer> IssuerAsync(LocalIdentity identity, TimeSpan? keyLifetime = null)
    {
        var key = await Identities.CreatePurposeKeyAsync(identity, Purpose.CredentialSigning, keyLifetime ?? TimeSpan.FromDays(30));
        return new CredentialIssuer(Vault, identity, key, Time);
    }

    public TrustContext TrustingAuthority(LocalIdentity authority)
    {
        var trust = new TrustContext(Vault);
        trust.TrustAuthority(Verify(authority));
        return trust;
    }

    public static Dictionary<string, byte[]> Attributes(params (string Name, string Value)[] attributes) =>
        attributes.ToDictionary(a => a.Name, a => System.Text.Encoding.UTF8.GetBytes(a.Value));

    public void Dispose() => Vault.Dispose();
}
