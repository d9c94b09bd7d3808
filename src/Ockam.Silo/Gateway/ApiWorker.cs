using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Policies;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Silo.Telemetry;

namespace Ockam.Silo.Gateway;

/// <summary>
/// The gateway's request handler ("api"): decodes each request that came out of a secure channel, checks
/// the operation's policy against the channel's verified peer, maps it to grain calls and answers along
/// the return route (back through the channel). Every request gets a typed answer.
/// </summary>
internal sealed partial class ApiWorker(
    IGrainFactory grains,
    string authorityName,
    TrustContext trust,
    GatewayPolicies policies,
    RelayRegistry relays,
    TimeProvider time,
    RequestRate rate,
    ILogger<ApiWorker> logger) : IWorker, IDisposable
{
    /// <summary>Requests handled at once; more wait in the mailbox (back-pressure to the connections).</summary>
    private readonly SemaphoreSlim concurrency = new(256, 256);

    public void Dispose() => concurrency.Dispose();

    private IAuthorityGrain Authority => grains.GetGrain<IAuthorityGrain>(authorityName);

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        await concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);

        // Grain calls take time: answer concurrently, so one slow request never holds up the others.
        _ = Task.Run(
            async () =>
            {
                try
                {
                    var announcements = new List<RevocationNotice>();
                    var response = await AnswerAsync(message, announcements).ConfigureAwait(false);
                    await context.SendAsync(message.Reply(response.Encode()), CancellationToken.None).ConfigureAwait(false);

                    // After the answer: a revocation may close the caller's own channel (it revoked itself).
                    foreach (var notice in announcements)
                    {
                        await grains.GetGrain<IRevocationFeedGrain>(authorityName).PublishAsync(notice).ConfigureAwait(false);
                    }
                }
                catch (RoutingException e)
                {
                    LogUnanswerable(logger, e.Message);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The feed was unreachable: gateways still apply the list at their next refresh.
                    LogFailed(logger, e, "revocation-feed");
                }
                finally
                {
                    concurrency.Release();
                }
            },
            CancellationToken.None);
    }

    internal async Task<ApiResponse> AnswerAsync(Message message, List<RevocationNotice> announcements)
    {
        if (message.AuthenticatedPeer is not { } peer)
        {
            return ApiResponse.Failed(0, ApiStatus.Denied, "requests must come through a secure channel");
        }

        ApiRequest request;
        try
        {
            // Bounded by the frame that carried it; the request limit is checked next, so the answer can name the request.
            request = ApiRequest.Decode(message.Payload, Math.Max(message.Payload.Length, 1));
        }
        catch (OckamDecodeException e)
        {
            return ApiResponse.Failed(0, ApiStatus.BadRequest, e.Message);
        }

        // Counted once decoded, so that the refusal names the request it refuses.
        if (!message.ReturnRoute.IsEmpty && !rate.TryTake(message.ReturnRoute.Next))
        {
            SiloTelemetry.Requests.Add(1, new TagList { { "ockam.operation", GatewayPolicies.Name(request.Operation) }, { "ockam.status", nameof(ApiStatus.TooManyRequests) } });
            return ApiResponse.Failed(request.Id, ApiStatus.TooManyRequests, $"at most {rate.Burst} requests at once and {rate.PerSecond} a second per channel; retry later");
        }

        if (message.Payload.Length > ApiRequest.MaxSize)
        {
            return ApiResponse.Failed(request.Id, ApiStatus.TooLarge, $"a request is at most {ApiRequest.MaxSize} bytes, this one {message.Payload.Length}");
        }

        var operation = GatewayPolicies.Name(request.Operation);
        using var activity = SiloTelemetry.Source.StartActivity("gateway." + operation);
        var started = time.GetTimestamp();
        ApiResponse response;
        try
        {
            response = await DispatchAsync(request, peer, message.ReturnRoute, announcements).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e, operation);
            response = ApiResponse.Failed(request.Id, ApiStatus.Unavailable, "the service failed to answer; retry later");
        }

        activity?.SetTag("ockam.status", response.Status.ToString());
        activity?.SetStatus(response.Status == ApiStatus.Ok ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
        var tags = new TagList { { "ockam.operation", operation }, { "ockam.status", response.Status.ToString() } };
        SiloTelemetry.Requests.Add(1, tags);
        SiloTelemetry.RequestDuration.Record(time.GetElapsedTime(started).TotalSeconds, tags);
        return response;
    }

    private async Task<ApiResponse> DispatchAsync(ApiRequest request, AuthenticatedPeer peer, Route returnRoute, List<RevocationNotice> announcements)
    {
        // Decided on the caller's standing now (its member record at the authority: revoked, suspended or demoted
        // members hold nothing), never on the credential it showed when its channel opened.
        // (Operations open to anyone need no look-up: strangers cost the authority nothing.)
        var standing = policies.IsOpen(request.Operation)
            ? new MemberStanding(MemberStatus.NotAMember, new Dictionary<string, byte[]>())
            : await Authority.GetStandingAsync(peer.Identifier.ToString()).ConfigureAwait(false);
        var input = PolicyInput.ForMember(peer.Identifier, standing.Status == MemberStatus.Member, standing.Attributes)
            .WithAction("operation", GatewayPolicies.Name(request.Operation));
        var relay = request.Text(ApiArguments.Relay);
        if (request.Operation is ApiOperation.CreateRelay or ApiOperation.ListenRelay or ApiOperation.AcknowledgeRelay or ApiOperation.GetRelay)
        {
            // Relay names are single local addresses; "conn." names belong to the gateway's reply relays.
            if (relay is null || relay.Length is 0 or > 200 || relay.StartsWith("conn.", StringComparison.Ordinal))
            {
                return ApiResponse.Failed(request.Id, ApiStatus.BadRequest, "a relay name is 1 to 200 characters and does not start with 'conn.'");
            }

            input = input.WithResource("relay", relay);
        }

        if (request.Text(ApiArguments.Topic) is { } topicName)
        {
            // The topic a room operation names: create-topic's default policy matches it against ockam.topic.
            input = input.WithResource("topic", topicName);
        }

        ChangeHistory? published = null;
        if (request.Operation == ApiOperation.PublishIdentity)
        {
            if (!request.Arguments.TryGetValue(ApiArguments.History, out var encoded))
            {
                return Missing(request, ApiArguments.History);
            }

            try
            {
                published = ChangeHistory.Decode(encoded);
            }
            catch (OckamDecodeException e)
            {
                return ApiResponse.Failed(request.Id, ApiStatus.BadRequest, e.Message);
            }

            input = input.WithResource("identifier", published.Identifier.ToString());
        }

        if (!policies.For(request.Operation).Allows(input))
        {
            return ApiResponse.Failed(request.Id, ApiStatus.Denied, $"{peer.Identifier} may not {GatewayPolicies.Name(request.Operation)}");
        }

        return request.Operation switch
        {
            ApiOperation.Enroll => await EnrollAsync(request, peer).ConfigureAwait(false),
            ApiOperation.GetCredential => Credential(request, await Authority.GetCredentialAsync(peer.Identifier.ToString()).ConfigureAwait(false)),
            ApiOperation.PublishIdentity => await PublishAsync(request, published!, announcements).ConfigureAwait(false),
            ApiOperation.CreateToken => await CreateTokenAsync(request, peer).ConfigureAwait(false),
            ApiOperation.Revoke => await RevokeAsync(request, announcements).ConfigureAwait(false),
            ApiOperation.Readmit => await ReadmitAsync(request, peer).ConfigureAwait(false),
            ApiOperation.GetRevocationList => Ok(request, ApiArguments.RevocationList, await Authority.GetRevocationListAsync().ConfigureAwait(false)),
            ApiOperation.GetAuthority => Ok(request, ApiArguments.Authority, await Authority.GetIdentityAsync().ConfigureAwait(false)),
            ApiOperation.CreateRelay => Relayed(request, await grains.GetGrain<IRelayGrain>(relay!).ClaimAsync(peer.Identifier.ToString(), durable: true).ConfigureAwait(false)),
            ApiOperation.ListenRelay => Relayed(request, await relays.ListenAsync(relay!, peer.Identifier, returnRoute.Next).ConfigureAwait(false)),
            ApiOperation.GetRelay => await RelayStatusAsync(request, relay!).ConfigureAwait(false),
            ApiOperation.PublishGroupKeys => await PublishGroupKeysAsync(request, peer).ConfigureAwait(false),
            ApiOperation.GetGroupKeys => await GroupKeysAsync(request).ConfigureAwait(false),
            ApiOperation.CreateRoom or ApiOperation.CommitRoom or ApiOperation.SendRoom or ApiOperation.CatchUpRoom or ApiOperation.GetRoom
                or ApiOperation.CreateTopic or ApiOperation.SubscribeTopic
                => await RoomAsync(request, peer, input).ConfigureAwait(false),
            ApiOperation.AcknowledgeRelay => request.Number(ApiArguments.Sequence) is { } sequence
                ? Relayed(request, await grains.GetGrain<IRelayGrain>(relay!).AcknowledgeAsync(peer.Identifier.ToString(), sequence).ConfigureAwait(false))
                : Missing(request, ApiArguments.Sequence),
            _ => ApiResponse.Failed(request.Id, ApiStatus.BadRequest, "unknown operation"),
        };
    }

    private async Task<ApiResponse> EnrollAsync(ApiRequest request, AuthenticatedPeer peer)
    {
        if (request.Text(ApiArguments.Token) is not { } token)
        {
            return Missing(request, ApiArguments.Token);
        }

        // The service learns the identity it enrols (public data), so it can later refuse a rollback.
        await grains.GetGrain<IIdentityGrain>(peer.Identifier.ToString()).PublishAsync(peer.Identity.History.Encode()).ConfigureAwait(false);
        var result = await Authority.EnrollAsync(token, peer.Identifier.ToString()).ConfigureAwait(false);
        SiloTelemetry.Enrolments.Add(1, new KeyValuePair<string, object?>("ockam.outcome", result.Outcome.ToString()));
        return Credential(request, result);
    }

    private async Task<ApiResponse> PublishAsync(ApiRequest request, ChangeHistory history, List<RevocationNotice> announcements)
    {
        var publication = await grains.GetGrain<IIdentityGrain>(history.Identifier.ToString()).PublishAsync(history.Encode()).ConfigureAwait(false);
        if (publication.Outcome is not (PublicationOutcome.Accepted or PublicationOutcome.Unchanged))
        {
            return ApiResponse.Failed(request.Id, ApiStatus.Rejected, $"{publication.Outcome}: {publication.Reason}");
        }

        // A revoked identity loses its membership and every credential it holds.
        if (history.Latest.Data.Revoked)
        {
            Announce(announcements, await Authority.RevokeMemberAsync(history.Identifier.ToString()).ConfigureAwait(false), history.Identifier.ToString());
        }

        return ApiResponse.Ok(request.Id);
    }

    private async Task<ApiResponse> CreateTokenAsync(ApiRequest request, AuthenticatedPeer peer)
    {
        var attributes = request.Arguments
            .Where(a => a.Key.StartsWith(ApiArguments.AttributePrefix, StringComparison.Ordinal))
            .ToDictionary(a => a.Key[ApiArguments.AttributePrefix.Length..], a => a.Value, StringComparer.Ordinal);
        if (attributes.ContainsKey(Delegation.AttributeName))
        {
            // Text at the API ("ockam.role,floor"), the identity core's canonical encoding in the credential.
            if (request.Text(ApiArguments.AttributePrefix + Delegation.AttributeName) is not { } names)
            {
                return ApiResponse.Failed(request.Id, ApiStatus.BadRequest, $"{Delegation.AttributeName} is comma-separated attribute names");
            }

            try
            {
                attributes[Delegation.AttributeName] = Delegation.Encode(names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
            catch (ArgumentException e)
            {
                return ApiResponse.Failed(request.Id, ApiStatus.BadRequest, e.Message);
            }
        }

        var validFor = request.Number(ApiArguments.ValidForSeconds) ?? 3600;
        var uses = request.Arguments.ContainsKey(ApiArguments.Uses) ? request.Number(ApiArguments.Uses) : 1;
        if (validFor > int.MaxValue || uses is not { } count || count > int.MaxValue)
        {
            return ApiResponse.Failed(request.Id, ApiStatus.BadRequest, $"'{ApiArguments.ValidForSeconds}' and '{ApiArguments.Uses}' are decimal numbers");
        }

        // The authority decides on the creator's member record, not on the credential this channel presented.
        var created = await Authority.CreateTokenAsync(peer.Identifier.ToString(), attributes, TimeSpan.FromSeconds(validFor), (int)count).ConfigureAwait(false);
        return created.Outcome switch
        {
            AuthorityOutcome.Issued => Ok(request, ApiArguments.Token, ApiRequest.TextValue(created.Token!)),
            AuthorityOutcome.Denied => ApiResponse.Failed(request.Id, ApiStatus.Denied, created.Reason ?? "may not grant these attributes"),
            _ => ApiResponse.Failed(request.Id, ApiStatus.BadRequest, created.Reason ?? "invalid token request"),
        };
    }

    private async Task<ApiResponse> RevokeAsync(ApiRequest request, List<RevocationNotice> announcements)
    {
        byte[] list;
        string[] subjects;
        if (request.Number(ApiArguments.Serial) is { } serial)
        {
            list = await Authority.RevokeAsync(serial).ConfigureAwait(false);
            subjects = [];
        }
        else if (request.Text(ApiArguments.Subject) is { } subject && Identifier.TryParse(subject, out _))
        {
            list = await Authority.RevokeMemberAsync(subject).ConfigureAwait(false);
            subjects = [subject];
        }
        else
        {
            return Missing(request, $"{ApiArguments.Serial} or {ApiArguments.Subject}");
        }

        Announce(announcements, list, subjects);
        return Ok(request, ApiArguments.RevocationList, list);
    }

    /// <summary>
    /// This silo enforces a revocation at once for new handshakes; once the caller has its answer, every gateway
    /// of the cluster (this one too) hears of it through the feed and closes the channels it affects.
    /// </summary>
    private void Announce(List<RevocationNotice> announcements, byte[] list, params string[] subjects)
    {
        trust.AcceptRevocationList(RevocationList.Decode(list), time.GetUtcNow());
        announcements.Add(new RevocationNotice(list, subjects));
    }

    private async Task<ApiResponse> ReadmitAsync(ApiRequest request, AuthenticatedPeer peer)
    {
        if (request.Text(ApiArguments.Subject) is not { } subject || !Identifier.TryParse(subject, out _))
        {
            return Missing(request, ApiArguments.Subject);
        }

        // The policy saw the channel's credential; the authority checks the caller is an admin on its records now.
        return await Authority.ReadmitAsync(peer.Identifier.ToString(), subject).ConfigureAwait(false) switch
        {
            ReadmitOutcome.Readmitted => ApiResponse.Ok(request.Id),
            ReadmitOutcome.NothingToLift => ApiResponse.Failed(request.Id, ApiStatus.BadRequest, $"{subject} is neither revoked nor suspended"),
            _ => ApiResponse.Failed(request.Id, ApiStatus.Denied, $"{peer.Identifier} is not an admin in good standing"),
        };
    }

    private static ApiResponse Credential(ApiRequest request, AuthorityResult result) => result.Outcome switch
    {
        AuthorityOutcome.Issued => Ok(request, ApiArguments.Credential, result.Credential!),
        AuthorityOutcome.TokenUnknown => ApiResponse.Failed(request.Id, ApiStatus.TokenUnknown, result.Reason ?? "unknown token"),
        AuthorityOutcome.TokenExpired => ApiResponse.Failed(request.Id, ApiStatus.TokenExpired, result.Reason ?? "expired token"),
        AuthorityOutcome.TokenUsed => ApiResponse.Failed(request.Id, ApiStatus.TokenUsed, result.Reason ?? "used token"),
        AuthorityOutcome.NotAMember => ApiResponse.Failed(request.Id, ApiStatus.NotAMember, result.Reason ?? "not a member"),
        AuthorityOutcome.Revoked => ApiResponse.Failed(request.Id, ApiStatus.Revoked, result.Reason ?? "revoked; an admin may readmit it"),
        AuthorityOutcome.Suspended => ApiResponse.Failed(request.Id, ApiStatus.Suspended, result.Reason ?? "suspended; an admin may readmit it"),
        _ => ApiResponse.Failed(request.Id, ApiStatus.BadRequest, result.Reason ?? "invalid request"),
    };

    private async Task<ApiResponse> PublishGroupKeysAsync(ApiRequest request, AuthenticatedPeer peer)
    {
        if (!request.Arguments.TryGetValue(ApiArguments.Agreement, out var agreement) || !request.Arguments.TryGetValue(ApiArguments.Signing, out var signing))
        {
            return Missing(request, $"{ApiArguments.Agreement} and {ApiArguments.Signing}");
        }

        var identity = grains.GetGrain<IIdentityGrain>(peer.Identifier.ToString());
        await identity.PublishAsync(peer.Identity.History.Encode()).ConfigureAwait(false);
        return await identity.PublishGroupKeysAsync(agreement, signing).ConfigureAwait(false)
            ? ApiResponse.Ok(request.Id)
            : ApiResponse.Failed(request.Id, ApiStatus.Rejected, "the attestations do not verify against this identity's history");
    }

    private async Task<ApiResponse> GroupKeysAsync(ApiRequest request)
    {
        if (request.Text(ApiArguments.Subject) is not { } subject || !Identifier.TryParse(subject, out _))
        {
            return Missing(request, ApiArguments.Subject);
        }

        var (history, agreement, signing) = await grains.GetGrain<IIdentityGrain>(subject).GetGroupKeysAsync().ConfigureAwait(false);
        return history is null || agreement is null || signing is null
            ? ApiResponse.Failed(request.Id, ApiStatus.NotAMember, $"{subject} has published no group keys")
            : ApiResponse.Ok(request.Id, new Dictionary<string, byte[]> { [ApiArguments.History] = history, [ApiArguments.Agreement] = agreement, [ApiArguments.Signing] = signing });
    }

    /// <summary>Room and topic operations: a <c>topic</c> argument addresses a topic, a <c>room</c> argument a room.</summary>
    private async Task<ApiResponse> RoomAsync(ApiRequest request, AuthenticatedPeer peer, PolicyInput subject)
    {
        var topicName = request.Text(ApiArguments.Topic);
        if ((topicName ?? request.Text(ApiArguments.Room)) is not { Length: > 0 and <= 120 } name)
        {
            return Missing(request, $"{ApiArguments.Room} or {ApiArguments.Topic}");
        }

        var isTopic = topicName is not null || request.Operation is ApiOperation.CreateTopic or ApiOperation.SubscribeTopic;
        if (isTopic && topicName is null)
        {
            // The create-topic policy reads resource.topic, which only the topic argument sets.
            return Missing(request, ApiArguments.Topic);
        }

        if (!isTopic && GroupDelivery.TopicOf(name) is not null)
        {
            // A room's group id is its name, a topic's "topic:" + its name: such a room would share sessions and
            // deliveries with the topic at every member.
            return ApiResponse.Failed(request.Id, ApiStatus.BadRequest, $"a room name may not start with '{GroupDelivery.TopicGroupId(string.Empty)}' (topics' group ids)");
        }

        var room = grains.GetGrain<IGroupGrain>(name);
        var topic = grains.GetGrain<ITopicGrain>(name);
        IGroupLogGrain target = isTopic ? topic : room;
        var caller = peer.Identifier.ToString();
        switch (request.Operation)
        {
            case ApiOperation.GetRoom:
                var info = await target.GetInfoAsync().ConfigureAwait(false);
                return info.Exists
                    ? ApiResponse.Ok(request.Id, new Dictionary<string, byte[]>
                    {
                        [ApiArguments.Epoch] = ApiRequest.NumberValue(info.Epoch),
                        [ApiArguments.Members] = ApiRequest.TextValue(string.Join('\n', info.Members)),
                        [ApiArguments.Pending] = ApiRequest.TextValue(string.Join('\n', info.Pending)),
                    })
                    : ApiResponse.Failed(request.Id, ApiStatus.BadRequest, $"no {(isTopic ? "topic" : "room")} named '{name}'");
            case ApiOperation.CatchUpRoom:
                var (afterEpoch, afterIndex) = (request.Number(ApiArguments.Epoch) ?? 0, request.Number(ApiArguments.Index) ?? 0);
                var caughtUp = await target.CatchUpAsync(caller, afterEpoch, afterIndex).ConfigureAwait(false);
                if (caughtUp.Outcome != GroupOutcome.Ok)
                {
                    return Grouped(request, caughtUp.Outcome);
                }

                var results = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                for (var i = 0; i < caughtUp.Commits.Length; i++)
                {
                    results[$"{ApiArguments.Commit}:{i:D6}"] = caughtUp.Commits[i];
                }

                for (var i = 0; i < caughtUp.Messages.Length; i++)
                {
                    results[$"{ApiArguments.Message}:{caughtUp.MessageIndexes[i]:D12}"] = caughtUp.Messages[i];
                }

                // One page per answer (each fits in a frame); the member asks again after what it got.
                results[ApiArguments.More] = ApiRequest.TextValue(caughtUp.More ? "true" : "false");
                return ApiResponse.Ok(request.Id, results);
            case ApiOperation.SubscribeTopic:
                var subscribing = await topic.GetInfoAsync().ConfigureAwait(false);
                if (subscribing.SubscribePolicy is null)
                {
                    return ApiResponse.Failed(request.Id, ApiStatus.BadRequest, $"no topic named '{name}'");
                }

                if (!Policy.Parse(subscribing.SubscribePolicy).Allows(subject.WithResource("topic", name).WithAction("operation", "subscribe")))
                {
                    return ApiResponse.Failed(request.Id, ApiStatus.Denied, $"{peer.Identifier}'s credentials do not satisfy the topic's subscribe policy");
                }

                return Grouped(request, await topic.RequestJoinAsync(caller, request.Text(ApiArguments.Relay)).ConfigureAwait(false));
            case ApiOperation.SendRoom when isTopic:
                var publishing = await topic.GetInfoAsync().ConfigureAwait(false);
                if (publishing.PublishPolicy is { } publish && !Policy.Parse(publish).Allows(subject.WithResource("topic", name).WithAction("operation", "publish")))
                {
                    return ApiResponse.Failed(request.Id, ApiStatus.Denied, $"{peer.Identifier}'s credentials do not satisfy the topic's publish policy");
                }

                break;
        }

        var key = request.Operation == ApiOperation.SendRoom ? ApiArguments.Message : ApiArguments.Commit;
        if (!request.Arguments.TryGetValue(key, out var content))
        {
            return Missing(request, key);
        }

        var subscribePolicy = request.Text(ApiArguments.SubscribePolicy) ?? "false";
        var publishPolicy = request.Text(ApiArguments.PublishPolicy) ?? "false";
        if (request.Operation == ApiOperation.CreateTopic)
        {
            try
            {
                Policy.Parse(subscribePolicy);
                Policy.Parse(publishPolicy);
            }
            catch (PolicyParseException e)
            {
                return ApiResponse.Failed(request.Id, ApiStatus.BadRequest, $"bad policy: {e.Message}");
            }
        }

        var relays = request.Arguments.Where(a => a.Key.StartsWith(ApiArguments.RelayPrefix, StringComparison.Ordinal))
            .ToDictionary(a => a.Key[ApiArguments.RelayPrefix.Length..], a => System.Text.Encoding.UTF8.GetString(a.Value), StringComparer.Ordinal);
        var outcome = request.Operation switch
        {
            ApiOperation.CreateRoom => await room.CreateAsync(caller, content, request.Text(ApiArguments.Relay)).ConfigureAwait(false),
            ApiOperation.CreateTopic => await topic.CreateAsync(caller, content, request.Text(ApiArguments.Relay), subscribePolicy, publishPolicy).ConfigureAwait(false),
            ApiOperation.CommitRoom => await target.CommitAsync(caller, content, relays).ConfigureAwait(false),
            _ => await target.SendAsync(caller, content).ConfigureAwait(false),
        };
        return Grouped(request, outcome);
    }

    private static ApiResponse Grouped(ApiRequest request, GroupOutcome outcome) => outcome switch
    {
        GroupOutcome.Ok => ApiResponse.Ok(request.Id),
        GroupOutcome.NotAMember or GroupOutcome.NotAdmin => ApiResponse.Failed(request.Id, ApiStatus.Denied, outcome.ToString()),
        GroupOutcome.Conflict => ApiResponse.Failed(request.Id, ApiStatus.Rejected, "Conflict: not the room's next (or current) epoch"),
        GroupOutcome.RelayNotOwned => ApiResponse.Failed(
            request.Id,
            ApiStatus.NotOwner,
            $"fan-out goes only to a relay its member owns; unclaimed or another identity's: {string.Join(", ", NamedRelays(request).Select(r => $"'{r}'"))}"),
        _ => ApiResponse.Failed(request.Id, ApiStatus.BadRequest, outcome.ToString()),
    };

    /// <summary>The relays a room request names for fan-out: <c>relay</c> (the caller's) and <c>relay:&lt;identifier&gt;</c> (new members').</summary>
    private static IEnumerable<string> NamedRelays(ApiRequest request) =>
        request.Arguments.Where(a => a.Key == ApiArguments.Relay || a.Key.StartsWith(ApiArguments.RelayPrefix, StringComparison.Ordinal))
            .Select(a => System.Text.Encoding.UTF8.GetString(a.Value));

    private async Task<ApiResponse> RelayStatusAsync(ApiRequest request, string relay)
    {
        var status = await grains.GetGrain<IRelayGrain>(relay).GetStatusAsync().ConfigureAwait(false);
        return status.Owner is null
            ? ApiResponse.Failed(request.Id, ApiStatus.UnknownRelay, $"no relay named '{relay}'")
            : ApiResponse.Ok(request.Id, new Dictionary<string, byte[]>
            {
                [ApiArguments.Owner] = ApiRequest.TextValue(status.Owner),
                [ApiArguments.Online] = ApiRequest.TextValue(status.Online ? "true" : "false"),
            });
    }

    private static ApiResponse Relayed(ApiRequest request, RelayOutcome outcome) => outcome switch
    {
        RelayOutcome.Ok => ApiResponse.Ok(request.Id),
        RelayOutcome.NotOwner => ApiResponse.Failed(request.Id, ApiStatus.NotOwner, "the relay belongs to another identity"),
        RelayOutcome.Unknown => ApiResponse.Failed(request.Id, ApiStatus.UnknownRelay, "no such relay"),
        _ => ApiResponse.Failed(request.Id, ApiStatus.Unavailable, outcome.ToString()),
    };

    private static ApiResponse Ok(ApiRequest request, string name, byte[] value) =>
        ApiResponse.Ok(request.Id, new Dictionary<string, byte[]> { [name] = value });

    private static ApiResponse Missing(ApiRequest request, string argument) =>
        ApiResponse.Failed(request.Id, ApiStatus.BadRequest, $"missing argument '{argument}'");

    [LoggerMessage(Level = LogLevel.Warning, Message = "request {Operation} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(Level = LogLevel.Debug, Message = "could not answer a request: {Reason}")]
    private static partial void LogUnanswerable(ILogger logger, string reason);
}
