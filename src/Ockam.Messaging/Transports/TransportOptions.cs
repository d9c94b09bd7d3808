namespace Ockam.Messaging.Transports;

/// <summary>Limits and timings of a transport's connections.</summary>
public sealed record TransportOptions
{
    /// <summary>The largest frame (one encoded message) sent or accepted.</summary>
    public int MaxFrameSize { get; init; } = 256 * 1024;

    /// <summary>An empty frame is sent this often, so that a healthy idle connection is never mistaken for a dead one.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A connection from which nothing arrives for this long (a stalled or dead peer) is dropped.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>First wait before redialling a lost outgoing connection; it doubles up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>TCP: how long one dial may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>TCP: accepted connections beyond this are closed at once.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Outgoing connections open at once; a route to one more peer is refused (<see cref="Routing.RoutingError.NoTransport"/>).</summary>
    public int MaxOutgoingConnections { get; init; } = 1_000;

    /// <summary>TCP: wraps each connection's stream (TLS, metering, capture for tests); null leaves it as is.</summary>
    public Func<Stream, Stream>? WrapStream { get; init; }

    /// <summary>How long to wait before redial number <paramref name="attempt"/> (from 0): doubling from the minimum to the maximum, jittered.</summary>
    internal TimeSpan ReconnectDelay(int attempt)
    {
        var delay = ReconnectMinDelay * Math.Pow(2, Math.Min(attempt, 20));
        var capped = delay < ReconnectMaxDelay ? delay : ReconnectMaxDelay;

        // Jitter keeps a fleet that lost the same server from redialling in lockstep.
        return capped * (0.5 + (Random.Shared.NextDouble() / 2));
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameSize, 64, nameof(MaxFrameSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxFrameSize, 16 * 1024 * 1024, nameof(MaxFrameSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(KeepAliveInterval, TimeSpan.Zero, nameof(KeepAliveInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(IdleTimeout, KeepAliveInterval, nameof(IdleTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReconnectMinDelay, TimeSpan.Zero, nameof(ReconnectMinDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectMaxDelay, ReconnectMinDelay, nameof(ReconnectMaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutgoingConnections, 1, nameof(MaxOutgoingConnections));
    }
}
