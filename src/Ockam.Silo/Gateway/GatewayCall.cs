using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Policies;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Silo.Telemetry;

namespace Ockam.Silo.Gateway;

/// <summary>What a handler works with: the silo's services, the authorized caller, and the notices to publish once it is answered.</summary>
internal sealed class GatewayCall(
    IGrainFactory grains,
    string authorityName,
    TrustContext trust,
    RelayRegistry relays,
    TimeProvider time,
    AuthenticatedPeer peer,
    Route returnRoute,
    PolicyInput subject)
{
    public IGrainFactory Grains => grains;

    public IAuthorityGrain Authority => grains.GetGrain<IAuthorityGrain>(authorityName);

    public RelayRegistry Relays => relays;

    public AuthenticatedPeer Peer => peer;

    public string Caller => peer.Identifier.ToString();

    public Route ReturnRoute => returnRoute;

    /// <summary>The policy input the operation was authorized on (topic policies extend it).</summary>
    public PolicyInput Subject => subject;

    /// <summary>Revocations to announce to every gateway after the caller has its answer (it may have revoked itself).</summary>
    public List<RevocationNotice> Announcements { get; } = [];

    /// <summary>
    /// This silo enforces a revocation at once for new handshakes; once the caller has its answer, every gateway
    /// of the cluster (this one too) hears of it through the feed and closes the channels it affects.
    /// </summary>
    public void Announce(byte[] list, params string[] subjects)
    {
        trust.AcceptRevocationList(RevocationList.Decode(list), time.GetUtcNow());
        Announcements.Add(new RevocationNotice(list, subjects));
        SiloTelemetry.Revocations.Add(1);
    }
}
