using Ockam.Identity.Mls;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The Authentication Service of the tests: any basic credential with an identity is accepted, as the mlswg vectors
/// and our own test members use them; any other credential, or an identity listed in <paramref name="refused"/>, is not.
/// </summary>
internal sealed class BasicCredentialAuthentication(params string[] refused) : IMlsAuthenticationService
{
    public bool Accepts(LeafNode leaf) =>
        leaf.Credential.CredentialType == CredentialType.Basic
        && !leaf.Credential.Identity.IsEmpty
        && !refused.Contains(System.Text.Encoding.UTF8.GetString(leaf.Credential.Identity.Span));
}
