using Ockam.Grains.Contracts;
using Ockam.Identity.Identities;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;

namespace Ockam.Silo.Gateway;

/// <summary>
/// MLS KeyPackages beside the group keys: a member publishes its own (the identity grain checks each against the
/// caller's history and GroupSigning attestation), and any member claims one of another's to invite it.
/// </summary>
internal static class KeyPackageHandlers
{
    /// <summary>Publishes to the caller's own identity grain: a request names no subject, so no one publishes for another.</summary>
    public static async Task<GatewayAnswer<PublishKeyPackagesResponse>> PublishAsync(GatewayCall call, PublishKeyPackagesRequest request, CancellationToken cancellationToken)
    {
        var identity = call.Grains.GetGrain<IIdentityGrain>(call.Caller);
        await identity.PublishAsync(call.Peer.Identity.History.Encode()).WaitAsync(cancellationToken).ConfigureAwait(false);
        var publication = await identity.PublishKeyPackagesAsync([.. request.KeyPackages.Select(p => p.ToArray())]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return publication.Refusal is { } refusal
            ? new GatewayRefusal(ApiStatus.Rejected, refusal)
            : new PublishKeyPackagesResponse(publication.Held);
    }

    public static async Task<GatewayAnswer<ClaimKeyPackageResponse>> ClaimAsync(GatewayCall call, ClaimKeyPackageRequest request, CancellationToken cancellationToken)
    {
        if (!Identifier.TryParse(request.Subject, out _))
        {
            return GatewayRefusal.Missing("subject");
        }

        var claim = await call.Grains.GetGrain<IIdentityGrain>(request.Subject).ClaimKeyPackageAsync(call.Caller).WaitAsync(cancellationToken).ConfigureAwait(false);
        return claim switch
        {
            { Outcome: KeyPackageClaimOutcome.Claimed, History: { } history, Signing: { } signing, KeyPackage: { } keyPackage } =>
                new ClaimKeyPackageResponse(history, signing, keyPackage),
            { Outcome: KeyPackageClaimOutcome.TooMany } =>
                new GatewayRefusal(ApiStatus.TooManyRequests, $"you have claimed {request.Subject}'s key packages too often in the last minute; try again later"),
            _ => new GatewayRefusal(ApiStatus.NotAMember, $"{request.Subject} has no key packages left: it publishes them when it enrols or connects, so it must run 'ockam enroll' or any 'ockam room' command before it can be invited"),
        };
    }
}
