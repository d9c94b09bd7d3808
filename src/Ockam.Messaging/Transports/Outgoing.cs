using System.Collections.Concurrent;
using Ockam.Messaging.Routing;

namespace Ockam.Messaging.Transports;

/// <summary>The one rule for a transport's dialled connections: one per peer, and a bounded number in all.</summary>
internal static class Outgoing
{
    public static Address Resolve(ConcurrentDictionary<string, Connection> dialled, TransportOptions options, string peer, Func<Connection> dial)
    {
        if (dialled.TryGetValue(peer, out var existing))
        {
            return existing.Address;
        }

        // Only local code can reach this (flow control), but a bug or a hostile configuration must not
        // open sockets without bound either.
        if (dialled.Count >= options.MaxOutgoingConnections)
        {
            throw new RoutingException(RoutingError.NoTransport, $"{options.MaxOutgoingConnections} outgoing connections are open already; not dialling {peer}");
        }

        lock (dialled)
        {
            return dialled.GetOrAdd(peer, _ => dial()).Address;
        }
    }
}
