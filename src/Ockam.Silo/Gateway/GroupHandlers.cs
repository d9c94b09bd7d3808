using Ockam.Grains.Contracts;
using Ockam.Identity.Identities;
using Ockam.Identity.Policies;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Silo.Telemetry;

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
        if (request.Subjects.Count == 0 || !request.Subjects.All(s => Identifier.TryParse(s, out _)))
        {
            return GatewayRefusal.Missing("subjects");
        }

        var found = await Task.WhenAll(request.Subjects.Distinct().Select(async subject =>
        {
            var (history, agreement, signing) = await call.Grains.GetGrain<IIdentityGrain>(subject).GetGroupKeysAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return history is null || agreement is null || signing is null ? null : new GroupKeys(subject, history, agreement, signing);
        })).ConfigureAwait(false);
        return found.All(k => k is null) && request.Subjects.Count == 1
            ? new GatewayRefusal(ApiStatus.NotAMember, $"{request.Subjects[0]} has published no group keys: it publishes them when it enrols, so it must run 'ockam enroll' first")
            : new GetGroupKeysResponse([.. found.OfType<GroupKeys>()]);
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

        var room = call.Grains.GetDeliveryService(GroupId.Room(request.Room));
        var outcome = await room.CreateAsync(call.Caller, request.GroupInfo.ToArray(), request.RatchetTree.ToArray(), request.Relay, null, null)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return await RoutedAsync(call, room, outcome, request.Relay, cancellationToken).ConfigureAwait(false);
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

        var topic = call.Grains.GetDeliveryService(GroupId.Topic(request.Topic));
        var outcome = await topic.CreateAsync(call.Caller, request.GroupInfo.ToArray(), request.RatchetTree.ToArray(), request.Relay, request.SubscribePolicy, request.PublishPolicy)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return await RoutedAsync(call, topic, outcome, request.Relay, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An MLS commit: accepted as its epoch's, or refused with the commit that won the epoch (not an error: the member processes it and tries again).</summary>
    public static async Task<GatewayAnswer<CommitRoomResponse>> CommitAsync(GatewayCall call, CommitRoomRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Group.Name) is { } refusal)
        {
            return refusal;
        }

        var result = await call.Grains.GetDeliveryService(request.Group)
            .CommitAsync(call.Caller, request.Commit.ToArray(), request.Welcome?.ToArray())
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        SiloTelemetry.GroupCommits.Add(1, new KeyValuePair<string, object?>("ockam.outcome", result.Outcome.ToString()));
        return result.Outcome switch
        {
            DeliveryOutcome.Ok => new CommitRoomResponse(true, result.Index, ReadOnlyMemory<byte>.Empty),
            DeliveryOutcome.Conflict => new CommitRoomResponse(false, 0, result.Winner ?? ReadOnlyMemory<byte>.Empty),
            _ => Grouped(result.Outcome, []).Refusal!,
        };
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
        var group = call.Grains.GetDeliveryService(request.Group);
        var outcome = await group.ListenAsync(call.Caller, relay).WaitAsync(cancellationToken).ConfigureAwait(false);
        return await RoutedAsync(call, group, outcome, relay, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<GatewayAnswer<EmptyResponse>> SendAsync(GatewayCall call, SendRoomRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Group.Name) is { } refusal)
        {
            return refusal;
        }

        var group = call.Grains.GetDeliveryService(request.Group);
        if (request.Group.Kind == GroupKind.Topic)
        {
            var publishing = await group.GetInfoAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (publishing.PublishPolicy is { } publish && !Policy.Parse(publish).Allows(call.Subject.WithResource("topic", request.Group.Name).WithAction("operation", "publish")))
            {
                return new GatewayRefusal(ApiStatus.Denied, $"{call.Peer.Identifier}'s credentials do not satisfy the topic's publish policy");
            }
        }

        return Grouped((await group.SendAsync(call.Caller, request.Message.ToArray()).WaitAsync(cancellationToken).ConfigureAwait(false)).Outcome, []);
    }

    public static async Task<GatewayAnswer<CatchUpRoomResponse>> CatchUpAsync(GatewayCall call, CatchUpRoomRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Group.Name) is { } refusal)
        {
            return refusal;
        }

        var page = await call.Grains.GetDeliveryService(request.Group).ReadAsync(call.Caller, request.Index).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (page.Outcome != DeliveryOutcome.Ok)
        {
            return Grouped(page.Outcome, []).Refusal!;
        }

        // One page per answer (each fits in a frame); the member asks again after what it got.
        return new CatchUpRoomResponse(
            [.. page.Entries.Select(e => new RoomLogEntry(e.Index, e.Epoch, e.Kind == LogEntryKind.Commit ? GroupDeliveryKind.Commit : GroupDeliveryKind.Message, e.Bytes))],
            page.More);
    }

    /// <summary>The Welcome that waits for the caller, with where its commit is in the log and how long its tree is.</summary>
    public static async Task<GatewayAnswer<GetWelcomeResponse>> GetWelcomeAsync(GatewayCall call, GetWelcomeRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Group.Name) is { } refusal)
        {
            return refusal;
        }

        return await call.Grains.GetDeliveryService(request.Group).GetWelcomeAsync(call.Caller).WaitAsync(cancellationToken).ConfigureAwait(false) is { } welcome
            ? new GetWelcomeResponse(welcome.Welcome, welcome.Epoch, welcome.CommitIndex, (ulong)welcome.TreeLength)
            : new GatewayRefusal(ApiStatus.NotAMember, $"no Welcome to {request.Group.Description} waits for {call.Caller}: an admin must invite it (or admit its subscription) first");
    }

    public static async Task<GatewayAnswer<GetRoomTreeResponse>> GetTreeAsync(GatewayCall call, GetRoomTreeRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Group.Name) is { } refusal)
        {
            return refusal;
        }

        if (request.Offset > int.MaxValue)
        {
            return new GatewayRefusal(ApiStatus.BadRequest, "offset beyond any tree");
        }

        var chunk = await call.Grains.GetDeliveryService(request.Group).GetTreeAsync(call.Caller, request.Epoch, (int)request.Offset).WaitAsync(cancellationToken).ConfigureAwait(false);
        return chunk.Outcome == DeliveryOutcome.Ok ? new GetRoomTreeResponse(chunk.Bytes) : Grouped(chunk.Outcome, []).Refusal!;
    }

    public static async Task<GatewayAnswer<GetRoomResponse>> GetAsync(GatewayCall call, GetRoomRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Group.Name) is { } refusal)
        {
            return refusal;
        }

        var info = await call.Grains.GetDeliveryService(request.Group).GetInfoAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return info.Exists
            ? new GetRoomResponse(info.Epoch, [.. info.Members], [.. info.Pending])
            : new GatewayRefusal(ApiStatus.BadRequest, $"no {request.Group.Description}");
    }

    public static async Task<GatewayAnswer<EmptyResponse>> SubscribeAsync(GatewayCall call, SubscribeTopicRequest request, CancellationToken cancellationToken)
    {
        if (Target(request.Topic) is { } refusal)
        {
            return refusal;
        }

        var topic = call.Grains.GetDeliveryService(GroupId.Topic(request.Topic));
        var subscribing = await topic.GetInfoAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (subscribing.SubscribePolicy is null)
        {
            return new GatewayRefusal(ApiStatus.BadRequest, $"no topic named '{request.Topic}'");
        }

        if (!Policy.Parse(subscribing.SubscribePolicy).Allows(call.Subject.WithResource("topic", request.Topic).WithAction("operation", "subscribe")))
        {
            return new GatewayRefusal(ApiStatus.Denied, $"{call.Peer.Identifier}'s credentials do not satisfy the topic's subscribe policy");
        }

        var outcome = await topic.RequestJoinAsync(call.Caller, request.Relay).WaitAsync(cancellationToken).ConfigureAwait(false);
        return await RoutedAsync(call, topic, outcome, request.Relay, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A group name within bounds (the kind is the request's field, never read off the name).</summary>
    private static GatewayRefusal? Target(string name) =>
        name.Length is > 0 and <= MaxGroupName ? null : GatewayRefusal.Missing("room or topic");

    private static IEnumerable<string> Relays(string? relay) => relay is null ? [] : [relay];

    /// <summary>The answer once a route is named; the Delivery Service is told where the route's relay is connected, if here.</summary>
    private static async Task<GatewayAnswer<EmptyResponse>> RoutedAsync(GatewayCall call, IDeliveryServiceGrain group, DeliveryOutcome outcome, string? relay, CancellationToken cancellationToken)
    {
        if (outcome == DeliveryOutcome.Ok && relay is not null)
        {
            await call.Relays.TellAsync(group, relay, cancellationToken).ConfigureAwait(false);
        }

        return Grouped(outcome, Relays(relay));
    }

    /// <summary>The answer for a Delivery Service's <paramref name="outcome"/>; a refusal names the <paramref name="relays"/> the request gave for fan-out.</summary>
    private static GatewayAnswer<EmptyResponse> Grouped(DeliveryOutcome outcome, IEnumerable<string> relays) => outcome switch
    {
        DeliveryOutcome.Ok => EmptyResponse.Instance,
        DeliveryOutcome.NotAMember or DeliveryOutcome.NotAdmin or DeliveryOutcome.NotSender => new GatewayRefusal(ApiStatus.Denied, outcome.ToString()),
        DeliveryOutcome.Conflict => new GatewayRefusal(ApiStatus.Rejected, "Conflict: not the group's current epoch"),
        DeliveryOutcome.Unauthenticated => new GatewayRefusal(ApiStatus.Rejected, "Unauthenticated: a leaf is not signed by its identity's attested group signing key"),
        DeliveryOutcome.RelayNotOwned => new GatewayRefusal(
            ApiStatus.NotOwner,
            $"fan-out goes only to a relay its member owns; unclaimed or another identity's: {string.Join(", ", relays.Select(r => $"'{r}'"))}"),
        _ => new GatewayRefusal(ApiStatus.BadRequest, outcome.ToString()),
    };
}
