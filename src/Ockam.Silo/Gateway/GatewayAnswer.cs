using Ockam.Messaging.Api;

namespace Ockam.Silo.Gateway;

/// <summary>A handler's answer: its operation's typed response, or a status other than ok with the reason.</summary>
internal readonly record struct GatewayAnswer<TResponse>(TResponse? Response, GatewayRefusal? Refusal)
    where TResponse : class, IApiBody<TResponse>
{
    public static implicit operator GatewayAnswer<TResponse>(TResponse response) => new(response, null);

    public static implicit operator GatewayAnswer<TResponse>(GatewayRefusal refusal) => new(null, refusal);

    public ApiResponse ToResponse(ulong id) =>
        Refusal is { } refusal ? ApiResponse.Failed(id, refusal.Status, refusal.Error) : ApiResponse.Ok(id, ApiBody.Encode(Response!));
}
