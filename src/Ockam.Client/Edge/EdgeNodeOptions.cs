using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ockam.Identity.Identities;

namespace Ockam.Client.Edge;

/// <summary>Where an edge node keeps its keys and which silo it talks to.</summary>
public sealed record EdgeNodeOptions
{
    /// <summary>The node's directory: <c>OCKAM_HOME</c>, else <c>~/.ockam</c>.</summary>
    public string Home { get; init; } = DefaultHome();

    /// <summary>
    /// The silo's edge gateway, "host:port"; for a cluster, every silo's, separated by commas: the node connects to the
    /// first that accepts, from the one it last reached.
    /// </summary>
    public required string Silo { get; init; }

    /// <summary>The silo's identifier, pinned: the node opens channels to nothing else.</summary>
    public required Identifier SiloIdentifier { get; init; }

    /// <summary>Refresh the credential when less than this fraction of its lifetime is left.</summary>
    public double RefreshAt { get; init; } = 0.2;

    /// <summary>How long an API call waits before the node reopens its channel and retries once.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a secure-channel handshake may take (to the silo, and end to end).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Where the node says how its connection to the silo fares: lost, reconnected, renewals that failed and are tried
    /// again. Nothing logged carries a key, a token or a payload.
    /// </summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    public static string DefaultHome() =>
        Environment.GetEnvironmentVariable("OCKAM_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ockam");
}
