namespace Ockam.Grains.Contracts;

/// <summary>
/// One envelope a peer relays, as the gateway hands it to the relay: the relay gives it its sequence. The gateway
/// hands over everything queued for one relay together (<see cref="IRelayGrain.SendBatchAsync"/>), so that the
/// relay stores it in one transaction.
/// </summary>
/// <param name="Envelope">The encoded message: remaining route, return route, ciphertext.</param>
/// <param name="Priority">Higher overtakes lower.</param>
/// <param name="Sender">The identifier of the peer it is relayed for (its channel proved it), so the owner can tell senders apart.</param>
[GenerateSerializer, Immutable, Alias("ockam.relayed-envelope")]
public sealed record RelayedEnvelope(
    [property: Id(0)] byte[] Envelope,
    [property: Id(1)] byte Priority,
    [property: Id(2)] string Sender)
{
    /// <summary>Envelopes one hand-over carries at most.</summary>
    public const int MaxBatch = 256;

    /// <summary>Envelope bytes one hand-over carries at most, unless it is a single envelope (whose size its frame bounded).</summary>
    public const int MaxBatchBytes = 1024 * 1024;
}
