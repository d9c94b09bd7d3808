using Ockam.Grains.Contracts;

namespace Ockam.Testing;

/// <summary>One envelope handed to a relay as the gateway hands it: a batch of one.</summary>
internal static class RelaySending
{
    public static async Task<RelayOutcome> SendAsync(this IRelayGrain relay, byte[] envelope, byte priority, string sender) =>
        Assert.Single(await relay.SendBatchAsync([new RelayedEnvelope(envelope, priority, sender)]));
}
