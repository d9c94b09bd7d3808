using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Policies;

namespace Ockam.Messaging.SecureChannels;

/// <summary>
/// The other end of a secure channel as its handshake proved it: a verified identity, holding the
/// channel's static key, with the credentials that verified. Attached to every message the channel delivers.
/// </summary>
public sealed class AuthenticatedPeer
{
    internal AuthenticatedPeer(VerifiedIdentity identity, IReadOnlyList<VerifiedCredential> credentials)
    {
        Identity = identity;
        Credentials = credentials;
    }

    public Identifier Identifier => Identity.Identifier;

    public VerifiedIdentity Identity { get; }

    public IReadOnlyList<VerifiedCredential> Credentials { get; }

    /// <summary>The subject side of an ABAC decision about this peer.</summary>
    public PolicyInput ToPolicyInput() => PolicyInput.ForSubject(Identifier, Credentials);

    public override string ToString() => Identifier.ToString();
}
