namespace Ockam.Messaging.Api;

/// <summary>How a typed call ended: its status, and the response when the status is ok, else the service's error text.</summary>
public sealed record ApiResult<TResponse>(ApiStatus Status, TResponse? Response, string? Error)
    where TResponse : class
{
    /// <summary>The response of a call that succeeded.</summary>
    /// <exception cref="InvalidOperationException">The call did not succeed.</exception>
    public TResponse Value => Response ?? throw new InvalidOperationException($"the call ended {Status}: {Error}");
}
