using Ockam.Identity.Mls;

namespace Ockam.Silo.Tests.Support;

/// <summary>An Authentication Service that accepts every leaf: for a founder's own client, the checks under test being the silo's.</summary>
internal sealed class AcceptingAuthentication : IMlsAuthenticationService
{
    public static AcceptingAuthentication Instance { get; } = new();

    public bool Accepts(LeafNode leaf) => true;
}
