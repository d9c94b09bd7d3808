using Ockam.Identity.Credentials;

namespace Ockam.Grains.Authority;

/// <summary>
/// The signing side of one authority, held by the silo (its key in the silo's vault): the grain asks it
/// to sign and never sees a secret. Every silo that may host the authority's grain holds the same keys.
/// </summary>
public sealed class AuthorityKeys(string name, CredentialIssuer issuer)
{
    public string Name { get; } = name;

    public CredentialIssuer Issuer { get; } = issuer;
}
