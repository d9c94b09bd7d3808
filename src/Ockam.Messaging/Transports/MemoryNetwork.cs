using System.Collections.Concurrent;

namespace Ockam.Messaging.Transports;

/// <summary>
/// A switchboard for nodes in one process: each <see cref="MemoryTransport"/> listens under names here
/// and dials others by name. Tests build topologies with it; nothing crosses a socket.
/// </summary>
public sealed class MemoryNetwork
{
    private readonly ConcurrentDictionary<string, MemoryTransport> listeners = new(StringComparer.Ordinal);

    internal void Listen(string name, MemoryTransport transport)
    {
        if (!listeners.TryAdd(name, transport))
        {
            throw new InvalidOperationException($"a memory listener named {name} already exists");
        }
    }

    internal FrameLink Connect(string name, string from, int maxFrameSize)
    {
        if (!listeners.TryGetValue(name, out var listener))
        {
            throw new IOException($"no memory listener named {name}");
        }

        var (mine, theirs) = MemoryFrameLink.CreatePair(maxFrameSize);
        listener.Accept(theirs, from);
        return mine;
    }
}
