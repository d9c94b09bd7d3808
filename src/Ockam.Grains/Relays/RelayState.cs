using Ockam.Grains.Contracts;

namespace Ockam.Grains.Relays;

[GenerateSerializer, Alias("ockam.relay-state")]
internal sealed record RelayState
{
    [Id(0)]
    public string? Owner { get; init; }

    [Id(1)]
    public ulong NextSequence { get; init; } = 1;

    /// <summary>Unacknowledged messages, in delivery order (priority first, then arrival).</summary>
    [Id(2)]
    public List<RelayedMessage> Mailbox { get; init; } = [];

    /// <summary>False for a connection's reply relay: nothing is stored while its owner is away.</summary>
    [Id(3)]
    public bool Durable { get; init; } = true;
}
