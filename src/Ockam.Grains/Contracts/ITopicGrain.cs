namespace Ockam.Grains.Contracts;

/// <summary>
/// A publish/subscribe topic (key: its name): a group whose subscribe and publish rights come from ABAC
/// policies over credentials (checked by the gateway, which holds the verified credentials), with bounded
/// retention. The same mechanism as a room; subscribers the policy admitted wait for an admin's commit.
/// </summary>
[Alias("ockam.topic")]
public interface ITopicGrain : IGroupLogGrain
{
    [Alias("create")]
    Task<GroupOutcome> CreateAsync(string creator, byte[] commit, string? relay, string subscribePolicy, string publishPolicy);

    /// <summary>Queues <paramref name="identifier"/> (already allowed by the subscribe policy) for an admin to add.</summary>
    [Alias("request-join")]
    Task<GroupOutcome> RequestJoinAsync(string identifier, string? relay);
}
