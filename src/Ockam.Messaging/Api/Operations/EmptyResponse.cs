namespace Ockam.Messaging.Api.Operations;

/// <summary>The answer of an operation that returns nothing but its status: the empty map.</summary>
public sealed record EmptyResponse : IApiBody<EmptyResponse>
{
    public static EmptyResponse Instance { get; } = new();

    public static EmptyResponse Read(ApiBodyReader body) => Instance;

    public void Write(ApiBodyWriter body)
    {
    }
}
