using Ockam.Messaging.Api;

namespace Ockam.Client.Edge;

/// <summary>Typed calls to the silo's gateway; a status other than ok is an <see cref="EdgeException"/>.</summary>
internal interface IEdgeApi
{
    Task<TResponse> CallAsync<TRequest, TResponse>(IApiRequest<TRequest, TResponse> request, CancellationToken cancellationToken)
        where TRequest : IApiRequest<TRequest, TResponse>
        where TResponse : class, IApiBody<TResponse>;
}
