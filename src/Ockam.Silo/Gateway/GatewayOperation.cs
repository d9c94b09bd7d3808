using Ockam.Identity.Policies;
using Ockam.Messaging.Api;

namespace Ockam.Silo.Gateway;

/// <summary>
/// One row of <see cref="GatewayOperations"/>: an operation, its name (for policies, telemetry and operators), how
/// its request is read and checked, its default policy, the resource attributes that policy sees, and its handler.
/// </summary>
internal sealed class GatewayOperation
{
    private readonly Func<ReadOnlyMemory<byte>, object> read;
    private readonly Func<object, GatewayRefusal?> check;
    private readonly Func<object, PolicyInput, PolicyInput> resources;
    private readonly Func<GatewayCall, object, ulong, CancellationToken, Task<ApiResponse>> handle;

    private GatewayOperation(
        ApiOperation operation,
        string name,
        string defaultPolicy,
        Func<ReadOnlyMemory<byte>, object> read,
        Func<object, GatewayRefusal?> check,
        Func<object, PolicyInput, PolicyInput> resources,
        Func<GatewayCall, object, ulong, CancellationToken, Task<ApiResponse>> handle)
    {
        Operation = operation;
        Name = name;
        DefaultPolicy = defaultPolicy;
        this.read = read;
        this.check = check;
        this.resources = resources;
        this.handle = handle;
    }

    public ApiOperation Operation { get; }

    /// <summary>"create-token": the name in <c>action.operation</c>, <c>Ockam:Policies:&lt;name&gt;</c> and telemetry.</summary>
    public string Name { get; }

    public string DefaultPolicy { get; }

    public static GatewayOperation Of<TRequest, TResponse>(
        string name,
        string defaultPolicy,
        Func<GatewayCall, TRequest, CancellationToken, Task<GatewayAnswer<TResponse>>> handler,
        Func<TRequest, PolicyInput, PolicyInput>? resources = null,
        Func<TRequest, GatewayRefusal?>? check = null)
        where TRequest : class, IApiRequest<TRequest, TResponse>
        where TResponse : class, IApiBody<TResponse> =>
        new(
            TRequest.Operation,
            name,
            defaultPolicy,
            body => ApiBody.Decode<TRequest>(body, ApiRequest.MaxSize, $"{name} request"),
            check is null ? _ => null : request => check((TRequest)request),
            resources is null ? (_, input) => input : (request, input) => resources((TRequest)request, input),
            async (call, request, id, cancellationToken) =>
                (await handler(call, (TRequest)request, cancellationToken).ConfigureAwait(false)).ToResponse(id));

    /// <exception cref="Ockam.Identity.Encoding.OckamDecodeException">Not this operation's request.</exception>
    public object Read(ReadOnlyMemory<byte> body) => read(body);

    /// <summary>A refusal decided on the request alone, before the caller's standing is looked up and the policy asked.</summary>
    public GatewayRefusal? Check(object request) => check(request);

    /// <summary>The resource attributes (<c>resource.relay</c>, <c>resource.topic</c>…) the policy sees for <paramref name="request"/>.</summary>
    public PolicyInput WithResources(object request, PolicyInput input) => resources(request, input);

    /// <summary>Runs the handler and encodes its answer to request <paramref name="id"/>.</summary>
    public Task<ApiResponse> HandleAsync(GatewayCall call, object request, ulong id, CancellationToken cancellationToken) =>
        handle(call, request, id, cancellationToken);
}
