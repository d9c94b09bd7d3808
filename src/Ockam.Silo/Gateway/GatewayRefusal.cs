using Ockam.Messaging.Api;

namespace Ockam.Silo.Gateway;

/// <summary>Why the gateway answers a request with a status other than ok.</summary>
internal sealed record GatewayRefusal(ApiStatus Status, string Error)
{
    public static GatewayRefusal Missing(string argument) => new(ApiStatus.BadRequest, $"missing argument '{argument}'");
}
