namespace Ockam.Messaging.Api.Operations;

/// <summary>Bounds on request and response fields, checked as bodies are read.</summary>
public static class ApiLimits
{
    /// <summary>Names: tokens, relays, rooms, topics, identifiers, attribute names (the gateway checks tighter rules).</summary>
    public const int MaxName = 1024;

    /// <summary>An attribute value, or an ABAC policy's source.</summary>
    public const int MaxText = 16 * 1024;

    /// <summary>A byte field (a credential, a history, a commit, a message): bounded by the request or response itself.</summary>
    public const int MaxBytes = ApiResponse.MaxSize;

    /// <summary>Entries of a map or an array field (attributes, relays, members — as many as a group holds —, commits, messages).</summary>
    public const int MaxItems = 10_000;
}
