namespace Ockam.Messaging.Routing;

/// <summary>
/// Names where a message came from inside a node: every transport connection and every secure channel is
/// a producer with a flow of its own, and a message a producer receives from a remote party carries its
/// flow. A worker is reached by a flow only if it accepts that flow (or the flow's spawner: a listener's
/// flow stands for every connection or channel it accepts). Flows never leave the process.
/// </summary>
public readonly record struct FlowId
{
    private FlowId(Guid id, Guid spawner)
    {
        Id = id;
        Spawner = spawner;
    }

    /// <summary>Random, so that a flow of one node never means anything on another in the same process.</summary>
    internal Guid Id { get; }

    /// <summary>The listener's flow this one was spawned from, or <see cref="Guid.Empty"/>.</summary>
    internal Guid Spawner { get; }

    /// <summary>A new flow: a producer of its own (a dialled connection, an initiated channel, a relay inbox).</summary>
    public static FlowId Create() => new(Guid.NewGuid(), Guid.Empty);

    /// <summary>A new flow spawned from <paramref name="spawner"/>: whoever accepts the spawner accepts it.</summary>
    public static FlowId SpawnedFrom(FlowId spawner) => new(Guid.NewGuid(), spawner.Id);

    public override string ToString() => Spawner == Guid.Empty ? $"flow {Id:N}" : $"flow {Id:N} (from {Spawner:N})";
}
