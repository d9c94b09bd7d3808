using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;

namespace Ockam.Silo.Gateway;

/// <summary>Relays: claiming one, listening on it, acknowledging what it delivered, and asking after it.</summary>
internal static class RelayHandlers
{
    public static async Task<GatewayAnswer<EmptyResponse>> CreateAsync(GatewayCall call, CreateRelayRequest request, CancellationToken cancellationToken) =>
        Relayed(await call.Grains.GetGrain<IRelayGrain>(request.Relay).ClaimAsync(call.Caller, durable: true).WaitAsync(cancellationToken).ConfigureAwait(false));

    public static async Task<GatewayAnswer<EmptyResponse>> ListenAsync(GatewayCall call, ListenRelayRequest request, CancellationToken cancellationToken) =>
        Relayed(await call.Relays.ListenAsync(request.Relay, call.Peer.Identifier, call.ReturnRoute.Next).WaitAsync(cancellationToken).ConfigureAwait(false));

    public static async Task<GatewayAnswer<EmptyResponse>> AcknowledgeAsync(GatewayCall call, AcknowledgeRelayRequest request, CancellationToken cancellationToken) =>
        Relayed(await call.Grains.GetGrain<IRelayGrain>(request.Relay).AcknowledgeAsync(call.Caller, [.. request.Sequences]).WaitAsync(cancellationToken).ConfigureAwait(false));

    public static async Task<GatewayAnswer<GetRelayResponse>> GetAsync(GatewayCall call, GetRelayRequest request, CancellationToken cancellationToken)
    {
        var status = await call.Grains.GetGrain<IRelayGrain>(request.Relay).GetStatusAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return status.Owner is null
            ? new GatewayRefusal(ApiStatus.UnknownRelay, $"no relay named '{request.Relay}'")
            : new GetRelayResponse(status.Owner, status.Online);
    }

    /// <summary>
    /// Checked before authorization (the name is the policy's <c>resource.relay</c>): relay names are single local
    /// addresses, and "conn." names belong to the gateway's reply relays.
    /// </summary>
    public static GatewayRefusal? ValidName(string relay) =>
        relay.Length is 0 or > 200 || relay.StartsWith(RelayRegistry.ReplyRelayPrefix, StringComparison.Ordinal)
            ? new GatewayRefusal(ApiStatus.BadRequest, $"a relay name is 1 to 200 characters and does not start with '{RelayRegistry.ReplyRelayPrefix}'")
            : null;

    /// <summary>
    /// As <see cref="ValidName"/>, but a connection's own reply relay ("conn.") may be acknowledged by its owner (the
    /// grain checks the owner): room deliveries reach a member that named no relay through it, and what is never
    /// acknowledged would fill its mailbox.
    /// </summary>
    public static GatewayRefusal? ValidAcknowledgedName(string relay) =>
        relay.Length is 0 or > 200 ? new GatewayRefusal(ApiStatus.BadRequest, "a relay name is 1 to 200 characters") : null;

    private static GatewayAnswer<EmptyResponse> Relayed(RelayOutcome outcome) => outcome switch
    {
        RelayOutcome.Ok => EmptyResponse.Instance,
        RelayOutcome.NotOwner => new GatewayRefusal(ApiStatus.NotOwner, "the relay belongs to another identity"),
        RelayOutcome.Unknown => new GatewayRefusal(ApiStatus.UnknownRelay, "no such relay"),
        RelayOutcome.Malformed => new GatewayRefusal(ApiStatus.BadRequest, $"an acknowledgement names 1 to {AcknowledgeRelayRequest.MaxSequences} sequences"),
        _ => new GatewayRefusal(ApiStatus.Unavailable, outcome.ToString()),
    };
}
