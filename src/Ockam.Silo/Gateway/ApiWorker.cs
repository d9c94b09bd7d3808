using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Policies;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Silo.Telemetry;

namespace Ockam.Silo.Gateway;

/// <summary>
/// The gateway's request handler ("api"): for each request that came out of a secure channel it waits for its
/// identity's turn (<see cref="RequestRate"/>), decodes the envelope, decodes the operation's request (<see cref="GatewayOperations"/>),
/// authorizes it against the channel's verified peer's standing, dispatches to the operation's handler and
/// answers along the return route (back through the channel). Every request gets a typed answer.
/// </summary>
/// <remarks>
/// Started with no mailbox (<see cref="WorkerMailbox.None"/>): a request past its identity's rate, or that finds the
/// api at its bound (<c>maxConcurrent</c> in all, <c>perChannel</c> for its channel), waits in its own channel's
/// receive side, which pushes back on that peer alone. Answers leave through the channel's send side, which never waits for the api:
/// no wait here can close a cycle, and a peer that does not read its answers holds at most its channel's share.
/// </remarks>
internal sealed partial class ApiWorker(
    IGrainFactory grains,
    string authorityName,
    TrustContext trust,
    GatewayPolicies policies,
    RelayRegistry relays,
    TimeProvider time,
    RequestRate rate,
    TimeSpan ratePatience,
    int maxConcurrent,
    int perChannel,
    ILogger<ApiWorker> logger) : IWorker, IDisposable
{
    /// <summary>How long <see cref="Dispose"/> waits for the requests it cancelled.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Requests handled at once; more wait in their channels (back-pressure to their connections).</summary>
    private readonly SemaphoreSlim concurrency = new(maxConcurrent, maxConcurrent);

    /// <summary>Each channel's requests in flight, and a signal for a channel waiting for one of its own to end.</summary>
    private readonly Dictionary<Address, ChannelShare> shares = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly HashSet<Task> inFlight = [];
    private int disposed;

    private IAuthorityGrain Authority => grains.GetGrain<IAuthorityGrain>(authorityName);

    /// <summary>Cancels the requests in flight and waits (a bounded time) for them to end.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        stopping.Cancel();
        Task[] running;
        lock (inFlight)
        {
            running = [.. inFlight];
        }

        // Each request catches its own failures; a request still running after the bound keeps its semaphore.
        if (Task.WaitAll(running, DrainTimeout))
        {
            concurrency.Dispose();
        }

        stopping.Dispose();
    }

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref disposed) == 1)
        {
            // Stopping: a request that arrives now goes unanswered, as over a dropped connection.
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping.Token);

        // Paced here, in the channel's receive side, before anything is decoded: a peer past its rate waits for its turn
        // and its channel reads nothing more meanwhile. Requests without a peer are refused unanswered below.
        var withinRate = message.AuthenticatedPeer is not { } peer || await rate.WaitAsync(peer.Identifier, ratePatience, linked.Token).ConfigureAwait(false);
        var channel = message.ReturnRoute.IsEmpty ? null : message.ReturnRoute.Next;
        await TakeShareAsync(channel, linked.Token).ConfigureAwait(false);
        try
        {
            await concurrency.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch
        {
            ReleaseShare(channel);
            throw;
        }

        // Grain calls take time: answer concurrently, so one slow request never holds up the others.
        var answering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (inFlight)
        {
            inFlight.Add(answering.Task);
        }

        _ = Task.Run(
            async () =>
            {
                try
                {
                    await AnswerAndAnnounceAsync(context, message, withinRate, stopping.Token).ConfigureAwait(false);
                }
                finally
                {
                    concurrency.Release();
                    ReleaseShare(channel);
                    lock (inFlight)
                    {
                        inFlight.Remove(answering.Task);
                    }

                    answering.SetResult();
                }
            },
            CancellationToken.None);
    }

    /// <summary>Waits until <paramref name="channel"/> has fewer than its share of requests in flight, then takes one.</summary>
    /// <remarks>Only the channel's own receive side waits here, one request at a time (a channel delivers in order).</remarks>
    private async Task TakeShareAsync(Address? channel, CancellationToken cancellationToken)
    {
        if (channel is null)
        {
            return;
        }

        while (true)
        {
            Task wait;
            lock (shares)
            {
                if (!shares.TryGetValue(channel, out var share))
                {
                    shares[channel] = new ChannelShare { InFlight = 1 };
                    return;
                }

                if (share.InFlight < perChannel)
                {
                    share.InFlight++;
                    return;
                }

                share.Freed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = share.Freed.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void ReleaseShare(Address? channel)
    {
        if (channel is null)
        {
            return;
        }

        lock (shares)
        {
            var share = shares[channel];
            share.Freed?.TrySetResult();
            share.Freed = null;
            if (--share.InFlight == 0)
            {
                shares.Remove(channel);
            }
        }
    }

    private async Task<ApiResponse> AnswerAsync(Message message, bool withinRate, List<RevocationNotice> announcements, CancellationToken cancellationToken)
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
        var operation = GatewayOperations.Name(request.Operation);
        if (!withinRate)
        {
            SiloTelemetry.Requests.Add(1, new TagList { { "ockam.operation", operation }, { "ockam.status", nameof(ApiStatus.TooManyRequests) } });
            return ApiResponse.Failed(request.Id, ApiStatus.TooManyRequests, $"at most {rate.Burst} requests at once and {rate.PerSecond} a second per identity, over all its channels, and this identity's requests already wait longer than {ratePatience.TotalSeconds:0.###} s; retry later");
        }

        if (message.Payload.Length > ApiRequest.MaxSize)
        {
            return ApiResponse.Failed(request.Id, ApiStatus.TooLarge, $"a request is at most {ApiRequest.MaxSize} bytes, this one {message.Payload.Length}");
        }

        using var activity = SiloTelemetry.Source.StartActivity("gateway." + operation);
        var started = time.GetTimestamp();
        ApiResponse response;
        try
        {
            response = await DispatchAsync(request, peer, message.ReturnRoute, announcements, cancellationToken).ConfigureAwait(false);
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
        OperationLog.Answered(logger, operation, peer.Identifier, response.Status);
        return response;
    }

    private async Task AnswerAndAnnounceAsync(WorkerContext context, Message message, bool withinRate, CancellationToken cancellationToken)
    {
        try
        {
            var announcements = new List<RevocationNotice>();
            var response = await AnswerAsync(message, withinRate, announcements, cancellationToken).ConfigureAwait(false);
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
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The gateway is stopping: the request goes unanswered, as over a dropped connection.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The feed was unreachable: gateways still apply the list at their next refresh.
            LogFailed(logger, e, "revocation-feed");
        }
    }

    /// <summary>Body → check → standing → policy → handler.</summary>
    private async Task<ApiResponse> DispatchAsync(ApiRequest request, AuthenticatedPeer peer, Route returnRoute, List<RevocationNotice> announcements, CancellationToken cancellationToken)
    {
        if (GatewayOperations.Find(request.Operation) is not { } operation)
        {
            return ApiResponse.Failed(request.Id, ApiStatus.BadRequest, "unknown operation");
        }

        object body;
        try
        {
            body = operation.Read(request.Body);
        }
        catch (OckamDecodeException e)
        {
            return ApiResponse.Failed(request.Id, ApiStatus.BadRequest, $"request {request.Id}: {e.Message}");
        }

        if (operation.Check(body) is { } refusal)
        {
            return ApiResponse.Failed(request.Id, refusal.Status, refusal.Error);
        }

        // Decided on the caller's standing now (its member record at the authority: revoked, suspended or demoted
        // members hold nothing), never on the credential it showed when its channel opened.
        // (Operations open to anyone need no look-up: strangers cost the authority nothing.)
        var standing = policies.IsOpen(operation.Operation)
            ? new MemberStanding(MemberStatus.NotAMember, new Dictionary<string, byte[]>())
            : await Authority.GetStandingAsync(peer.Identifier.ToString()).WaitAsync(cancellationToken).ConfigureAwait(false);
        var input = PolicyInput.ForMember(peer.Identifier, standing.Status == MemberStatus.Member, standing.Attributes)
            .WithAction("operation", operation.Name);
        input = operation.WithResources(body, input);
        if (!policies.For(operation.Operation).Allows(input))
        {
            return ApiResponse.Failed(request.Id, ApiStatus.Denied, $"{peer.Identifier} may not {operation.Name}");
        }

        var call = new GatewayCall(grains, authorityName, trust, relays, time, peer, returnRoute, input);
        try
        {
            return await operation.HandleAsync(call, body, request.Id, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            announcements.AddRange(call.Announcements);
        }
    }

    /// <summary>One channel's requests in flight (the entry goes when the last one ends, so closed channels leave nothing).</summary>
    private sealed class ChannelShare
    {
        public int InFlight { get; set; }

        public TaskCompletionSource? Freed { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "request {Operation} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(Level = LogLevel.Debug, Message = "could not answer a request: {Reason}")]
    private static partial void LogUnanswerable(ILogger logger, string reason);
}
