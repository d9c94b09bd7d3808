using Ockam.Grains.Contracts;
using Ockam.Identity.Identities;
using Ockam.Identity.Policies;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;

namespace Ockam.Silo.Gateway;

/// <summary>
/// Group keys, rooms and topics. Room operations address a <see cref="GroupId"/> (a <c>room</c> or a <c>topic</c>
/// field, never a prefix of a name); the topic operations a topic only.
/// </summary>
internal static class GroupHandlers
{
    private const int MaxGroupName = 120;

    public static async Task<GatewayAnswer<EmptyResponse>> PublishGroupKeysAsync(GatewayCall call, PublishGroupKeysRequest request, CancellationToken cancellationToken)
    {
        var identity = call.Grains.GetGrain<IIdentityGrain>(call.Caller);
        await identity.PublishAsync(call.Peer.Identity.History.Encode()).WaitAsync(cancellationToken).ConfigureAwait(false);
        return await identity.PublishGroupKeysAsync(request.Agreement.ToArray(), request.Signing.ToArray()).WaitAsync(cancellationToken).ConfigureAwait(false)
            ? EmptyResponse.Instance
            : new GatewayRefusal(ApiStatus.Rejected, "the attestations do not verify against this identity's history");
    }

    public static async Task<GatewayAnswer<GetGroupKeysResponse>> GetGroupKeysAsync(GatewayCall call, GetGroupKeysRequest request, CancellationToken cancellationToken)
    {
        if (!Identifier.TryParse(request.Subject, out _))
        {
            return GatewayRefusal.Missing("subject");
        }

        var (history, agreement, signing) = await call.Grains.GetGrain<IIdentityGrain>(request.Subject).GetGroupKeysAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return history is null || agreement is null || signing is null
            ? new GatewayRefusal(ApiStatus.NotAMember, $"{request.Subject} has published no group keys: it publishes them when it enrols, so it must run 'ockam enroll' (or, if enrolled by an older version, any 'ockam room' command) before it can be invited")
            : new GetGroupKeysResponse(history, agreement, signing);
    }

    /// <summary><c>resource.topic</c>: the topic a room operation names (create-topic's default policy matches it against <c>ockam.topic</c>).</summary>
    public static PolicyInput Topic(GroupId group, PolicyInput input) => group.Kind == GroupKind.Topic ? Topic(group.Name, input) : input;

    public static PolicyInput Topic(string topic, PolicyInput input) => input.WithResource("topic", topic);

    public static async Task<GatewayAnswer<EmptyResponse>> CreateRoomAsync(GatewayCall call, CreateRoomRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Room) is { } refusal)
        {
            return refusal;
        }

        var outcome = await call.Grains.GetGrain<IGroupGrain>(request.Room).CreateAsync(call.Caller, request.Commit.ToArray(), request.Relay).WaitAsync(cancellationToken).ConfigureAwait(false);
        return Grouped(outcome, Relays(request.Relay));
    }

    public static async Task<GatewayAnswer<EmptyResponse>> CreateTopicAsync(GatewayCall call, CreateTopicRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Topic) is { } refusal)
        {
            return refusal;
        }

        try
        {
            Policy.Parse(request.SubscribePolicy);
            Policy.Parse(request.PublishPolicy);
        }
        catch (PolicyParseException e)
        {
            return new GatewayRefusal(ApiStatus.BadRequest, $"bad policy: {e.Message}");
        }

        var outcome = await call.Grains.GetGrain<ITopicGrain>(request.Topic)
            .CreateAsync(call.Caller, request.Commit.ToArray(), request.Relay, request.SubscribePolicy, request.PublishPolicy)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return Grouped(outcome, Relays(request.Relay));
    }

    public static async Task<GatewayAnswer<EmptyResponse>> CommitAsync(GatewayCall call, CommitRoomRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Group.Name) is { } refusal)
        {
            return refusal;
        }

        return Grouped(await call.Grains.GetGroupLog(request.Group).CommitAsync(call.Caller, request.Commit.ToArray()).WaitAsync(cancellationToken).ConfigureAwait(false), []);
    }

    /// <summary>
    /// The caller names its own route: the relay it gives (it must own it), or else the reply relay of the connection
    /// it asks on, so that a member that listens gets deliveries live without having claimed a relay.
    /// </summary>
    public static async Task<GatewayAnswer<EmptyResponse>> ListenAsync(GatewayCall call, ListenRoomRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Group.Name) is { } refusal)
        {
            return refusal;
        }

        var relay = request.Relay ?? await call.Relays.ReplyRelayAsync(call.Peer.Identifier, call.ReturnRoute.Next).WaitAsync(cancellationToken).ConfigureAwait(false);
        return Grouped(await call.Grains.GetGroupLog(request.Group).ListenAsync(call.Caller, relay).WaitAsync(cancellationToken).ConfigureAwait(false), [relay]);
    }

    public static async Task<GatewayAnswer<EmptyResponse>> SendAsync(GatewayCall call, SendRoomRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Group.Name) is { } refusal)
        {
            return refusal;
        }

        if (request.Group.Kind == GroupKind.Topic)
        {
            var name = request.Group.Name;
            var publishing = await call.Grains.GetGrain<ITopicGrain>(name).GetInfoAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (publishing.PublishPolicy is { } publish && !Policy.Parse(publish).Allows(call.Subject.WithResource("topic", name).WithAction("operation", "publish")))
            {
                return new GatewayRefusal(ApiStatus.Denied, $"{call.Peer.Identifier}'s credentials do not satisfy the topic's publish policy");
            }
        }

        return Grouped(await call.Grains.GetGroupLog(request.Group).SendAsync(call.Caller, request.Message.ToArray()).WaitAsync(cancellationToken).ConfigureAwait(false), []);
    }

    public static async Task<GatewayAnswer<CatchUpRoomResponse>> CatchUpAsync(GatewayCall call, CatchUpRoomRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Group.Name) is { } refusal)
        {
            return refusal;
        }

        var caughtUp = await call.Grains.GetGroupLog(request.Group).CatchUpAsync(call.Caller, request.Epoch, request.Index).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (caughtUp.Outcome != GroupOutcome.Ok)
        {
            return Grouped(caughtUp.Outcome, []).Refusal!;
        }

        // One page per answer (each fits in a frame); the member asks again after what it got.
        return new CatchUpRoomResponse(
            [.. caughtUp.Commits.Select(c => (ReadOnlyMemory<byte>)c)],
            [.. caughtUp.Messages.Select((m, i) => new IndexedMessage(caughtUp.MessageIndexes[i], m))],
            caughtUp.More);
    }

    public static async Task<GatewayAnswer<GetRoomResponse>> GetAsync(GatewayCall call, GetRoomRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Group.Name) is { } refusal)
        {
            return refusal;
        }

        var info = await call.Grains.GetGroupLog(request.Group).GetInfoAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return info.Exists
            ? new GetRoomResponse(info.Epoch, [.. info.Members], [.. info.Pending])
            : new GatewayRefusal(ApiStatus.BadRequest, $"no {(request.Group.Kind == GroupKind.Topic ? "topic" : "room")} named '{request.Group.Name}'");
    }

    public static async Task<GatewayAnswer<EmptyResponse>> SubscribeAsync(GatewayCall call, SubscribeTopicRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Topic) is { } refusal)
        {
            return refusal;
        }

        var topic = call.Grains.GetGrain<ITopicGrain>(request.Topic);
        var subscribing = await topic.GetInfoAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (subscribing.SubscribePolicy is null)
        {
            return new GatewayRefusal(ApiStatus.BadRequest, $"no topic named '{request.Topic}'");
        }

        if (!Policy.Parse(subscribing.SubscribePolicy).Allows(call.Subject.WithResource("topic", request.Topic).WithAction("operation", "subscribe")))
        {
            return new GatewayRefusal(ApiStatus.Denied, $"{call.Peer.Identifier}'s credentials do not satisfy the topic's subscribe policy");
        }

        return Grouped(await topic.RequestJoinAsync(call.Caller, request.Relay).WaitAsync(cancellationToken).ConfigureAwait(false), Relays(request.Relay));
    }

    /// <summary>A group name within bounds (the kind is the request's field, never read off the name).</summary>
    private static GatewayRefusal? Target(string name) =>
        name.Length is > 0 and <= MaxGroupName ? null : GatewayRefusal.Missing("room or topic");

    private static IEnumerable<string> Relays(string? relay) => relay is null ? [] : [relay];

    /// <summary>The answer for a group grain's <paramref name="outcome"/>; a refusal names the <paramref name="relays"/> the request gave for fan-out.</summary>
    private static GatewayAnswer<EmptyResponse> Grouped(GroupOutcome outcome, IEnumerable<string> relays) => outcome switch
    {
        GroupOutcome.Ok => EmptyResponse.Instance,
        GroupOutcome.NotAMember or GroupOutcome.NotAdmin => new GatewayRefusal(ApiStatus.Denied, outcome.ToString()),
        GroupOutcome.Conflict => new GatewayRefusal(ApiStatus.Rejected, "Conflict: not the room's next (or current) epoch"),
        GroupOutcome.RelayNotOwned => new GatewayRefusal(
            ApiStatus.NotOwner,
            $"fan-out goes only to a relay its member owns; unclaimed or another identity's: {string.Join(", ", relays.Select(r => $"'{r}'"))}"),
        _ => new GatewayRefusal(ApiStatus.BadRequest, outcome.ToString()),
    };
}
