using System.Collections.Concurrent;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Api;

/// <summary>
/// Calls the gateway's API over a route that starts with a secure channel. Answers are accepted only if
/// they came out of a channel whose peer is the expected silo: nothing else can answer for it.
/// </summary>
public sealed class ApiClient : IWorker
{
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<ApiResponse>> pending = new();
    private readonly Node node;
    private readonly Route route;
    private readonly Identifier silo;
    private long nextId;

    private ApiClient(Node node, Route route, Identifier silo)
    {
        this.node = node;
        this.route = route;
        this.silo = silo;
        Address = Address.RandomLocal("api.client");
    }

    public Address Address { get; }

    /// <summary>How long a call waits for its answer.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A client sending to <paramref name="route"/> (e.g. [channel, "api"]) and trusting only answers from <paramref name="silo"/>.</summary>
    /// <remarks>The client accepts the flow of the route's first hop (the channel), so answers reach it and nothing else does.</remarks>
    public static async Task<ApiClient> StartAsync(Node node, Route route, Identifier silo, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(route);
        var client = new ApiClient(node, route, silo) { Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        node.StartWorker(client.Address, client);
        if (await node.ProducerFlowAsync(route.Next, cancellationToken).ConfigureAwait(false) is { } flow)
        {
            node.AcceptFlow(client.Address, flow);
        }

        return client;
    }

    /// <summary>Calls the operation of <paramref name="request"/> and reads its typed response.</summary>
    /// <exception cref="TimeoutException">No answer within <see cref="Timeout"/>.</exception>
    /// <exception cref="ArgumentException">The request is larger than <see cref="ApiRequest.MaxSize"/>.</exception>
    /// <exception cref="OckamDecodeException">The silo answered ok with a body that is not the operation's response.</exception>
    public async Task<ApiResult<TResponse>> CallAsync<TRequest, TResponse>(IApiRequest<TRequest, TResponse> request, CancellationToken cancellationToken = default)
        where TRequest : IApiRequest<TRequest, TResponse>
        where TResponse : class, IApiBody<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new ApiBodyWriter();
        request.Write(body);
        var response = await CallAsync(TRequest.Operation, body.Encode(), cancellationToken).ConfigureAwait(false);
        return response.Status == ApiStatus.Ok
            ? new ApiResult<TResponse>(ApiStatus.Ok, ApiBody.Decode<TResponse>(response.Body, ApiResponse.MaxSize, "response body"), response.Error)
            : new ApiResult<TResponse>(response.Status, null, response.Error);
    }

    /// <summary>Sends <paramref name="body"/> as it is (tests send malformed ones this way).</summary>
    internal async Task<ApiResponse> CallAsync(ApiOperation operation, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        var id = (ulong)Interlocked.Increment(ref nextId);
        var encoded = new ApiRequest(id, operation, body).Encode();
        if (encoded.Length > ApiRequest.MaxSize)
        {
            throw new ArgumentException($"a request is at most {ApiRequest.MaxSize} bytes, this one {encoded.Length}", nameof(body));
        }

        var answer = new TaskCompletionSource<ApiResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = answer;
        try
        {
            await node.SendAsync(new Message(route, Route.Of(Address), encoded), cancellationToken).ConfigureAwait(false);
            return await answer.Task.WaitAsync(Timeout, node.Time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            pending.TryRemove(id, out _);
        }
    }

    public ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.AuthenticatedPeer?.Identifier != silo)
        {
            return ValueTask.CompletedTask;
        }

        try
        {
            var response = ApiResponse.Decode(message.Payload);
            if (pending.TryGetValue(response.Id, out var answer))
            {
                answer.TrySetResult(response);
            }
        }
        catch (OckamDecodeException)
        {
            // An authenticated peer speaking nonsense: the call times out rather than trusting it.
        }

        return ValueTask.CompletedTask;
    }
}
