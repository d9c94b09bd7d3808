using Ockam.Identity.Identities;
using Ockam.Identity.Policies;

namespace Ockam.Messaging.SecureChannels;

/// <summary>
/// Whom a secure channel accepts once the peer has proved its identity: named identifiers, holders of
/// credentials whose attributes satisfy a policy, or combinations of those.
/// </summary>
public sealed class TrustPolicy
{
    private readonly Func<AuthenticatedPeer, bool> accepts;

    private TrustPolicy(string description, Func<AuthenticatedPeer, bool> accepts)
    {
        Description = description;
        this.accepts = accepts;
    }

    /// <summary>Any peer that proves an identity (authorization then happens per request, as at an authority).</summary>
    public static TrustPolicy AnyIdentity { get; } = new("any identity", _ => true);

    public string Description { get; }

    /// <summary>Trusts exactly these identifiers.</summary>
    public static TrustPolicy Identifiers(params IEnumerable<Identifier> identifiers)
    {
        var set = identifiers.ToHashSet();
        return new TrustPolicy($"identifier in {{{string.Join(", ", set)}}}", peer => set.Contains(peer.Identifier));
    }

    /// <summary>
    /// Trusts peers whose verified credentials (from the authorities of the channel's trust context)
    /// satisfy <paramref name="policy"/>, e.g. <c>(= subject.ockam.role "member")</c>.
    /// </summary>
    public static TrustPolicy Credentials(Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new TrustPolicy($"credentials satisfying {policy}", peer => policy.Allows(peer.ToPolicyInput()));
    }

    public static TrustPolicy AnyOf(params IEnumerable<TrustPolicy> policies)
    {
        var all = policies.ToArray();
        return new TrustPolicy(string.Join(" or ", all.Select(p => $"({p.Description})")), peer => all.Any(p => p.Accepts(peer)));
    }

    public bool Accepts(AuthenticatedPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return accepts(peer);
    }

    public override string ToString() => Description;
}
