namespace Ockam.Messaging.Api;

/// <summary>The request of one operation, and the response it is answered with.</summary>
public interface IApiRequest<TSelf, TResponse> : IApiBody<TSelf>
    where TSelf : IApiRequest<TSelf, TResponse>
    where TResponse : IApiBody<TResponse>
{
    static abstract ApiOperation Operation { get; }
}
