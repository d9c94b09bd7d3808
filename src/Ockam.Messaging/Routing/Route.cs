using System.Collections;

namespace Ockam.Messaging.Routing;

/// <summary>An immutable list of at most <see cref="MaxHops"/> addresses, first hop first.</summary>
public sealed class Route : IReadOnlyList<Address>, IEquatable<Route>
{
    public const int MaxHops = 16;

    private readonly Address[] hops;

    private Route(Address[] hops)
    {
        if (hops.Length > MaxHops)
        {
            throw new RoutingException(RoutingError.RouteTooLong, $"a route has at most {MaxHops} hops, not {hops.Length}");
        }

        this.hops = hops;
    }

    public static Route Empty { get; } = new([]);

    public int Count => hops.Length;

    public bool IsEmpty => hops.Length == 0;

    /// <summary>The first hop.</summary>
    public Address Next => hops.Length > 0 ? hops[0] : throw new RoutingException(RoutingError.EmptyRoute, "the route is empty");

    public Address this[int index] => hops[index];

    /// <exception cref="RoutingException">More than <see cref="MaxHops"/> hops.</exception>
    public static Route Of(params IEnumerable<Address> hops)
    {
        ArgumentNullException.ThrowIfNull(hops);
        var array = hops.ToArray();
        foreach (var hop in array)
        {
            ArgumentNullException.ThrowIfNull(hop, nameof(hops));
        }

        return new Route(array);
    }

    /// <summary>The route without its first hop.</summary>
    public Route Step() => hops.Length > 0 ? new Route(hops[1..]) : throw new RoutingException(RoutingError.EmptyRoute, "the route is empty");

    public Route Prepend(Address hop) => new([hop, .. hops]);

    public Route Prepend(Route route) => new([.. route.hops, .. hops]);

    /// <summary>The route with its first hop replaced (a transport resolving "tcp:host:port" to its connection worker).</summary>
    public Route ReplaceNext(Address hop) => new([hop, .. hops.AsSpan(1)]);

    public IEnumerator<Address> GetEnumerator() => ((IEnumerable<Address>)hops).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => hops.GetEnumerator();

    public bool Equals(Route? other) => other is not null && hops.SequenceEqual(other.hops);

    public override bool Equals(object? obj) => Equals(obj as Route);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var hop in hops)
        {
            hash.Add(hop);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(" => ", hops.Select(h => h.ToString())) + "]";
}
