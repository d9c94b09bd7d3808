namespace Ockam.Messaging.Portals;

/// <summary>The bounds of a portal's streams, on either side.</summary>
public sealed record PortalOptions
{
    /// <summary>The largest window a peer may announce or credit at once.</summary>
    public const uint MaxWindow = 16 * 1024 * 1024;

    /// <summary>
    /// Bytes of one stream the peer may send before this side has written them to its socket (the credit window): what
    /// one stream holds in memory here, at most, and with the path's round trip, what bounds its throughput.
    /// </summary>
    public int Window { get; init; } = 256 * 1024;

    /// <summary>Bytes one data message carries at most (at most a quarter of <see cref="Window"/>).</summary>
    public int MaxChunk { get; init; } = PortalMessage.MaxData;

    /// <summary>How long opening a stream may take: the channel to the outlet's node, and the outlet reaching its target.</summary>
    public TimeSpan OpenTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Streams open at once through one inlet or one outlet; more connections are refused.</summary>
    public int MaxStreams { get; init; } = 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Window, 4 * 1024, nameof(Window));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)Window, MaxWindow, nameof(Window));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxChunk, 1, nameof(MaxChunk));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxChunk, Math.Min(PortalMessage.MaxData, Window / 4), nameof(MaxChunk));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(OpenTimeout, TimeSpan.Zero, nameof(OpenTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStreams, 1, nameof(MaxStreams));
    }
}
