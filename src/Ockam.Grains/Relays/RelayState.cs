namespace Ockam.Grains.Relays;

/// <summary>
/// What a relay keeps in its grain state: who owns it, whether it stores, and how far its sequences are reserved.
/// A durable relay's messages are rows of the mail store, not part of this state, so this is written only when
/// the relay is claimed and once per <see cref="RelayGrain.SequenceBlock"/> messages.
/// </summary>
[GenerateSerializer, Alias("ockam.relay-state")]
internal sealed record RelayState
{
    [Id(0)]
    public string? Owner { get; init; }

    /// <summary>Every sequence given out is below this: a restarted relay starts here, so no sequence is used twice.</summary>
    [Id(1)]
    public ulong ReservedSequence { get; init; } = 1;

    /// <summary>False for a connection's reply relay: nothing is stored while its owner is away.</summary>
    [Id(3)]
    public bool Durable { get; init; } = true;
}
