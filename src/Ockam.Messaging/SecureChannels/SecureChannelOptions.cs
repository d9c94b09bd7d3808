using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Messaging.Routing;

namespace Ockam.Messaging.SecureChannels;

/// <summary>Who this side of a secure channel is, whom it trusts, and the channel's limits.</summary>
public sealed record SecureChannelOptions
{
    public required IVault Vault { get; init; }

    /// <summary>This side's identity, whose change history is shown to the peer.</summary>
    public required LocalIdentity Identity { get; init; }

    /// <summary>An X25519 purpose key of <see cref="Identity"/> attested for <see cref="Purpose.SecureChannelStatic"/>.</summary>
    public required PurposeKey StaticKey { get; init; }

    public required TrustPolicy TrustPolicy { get; init; }

    /// <summary>Verifies the peer's credentials; without it credentials are neither checked nor used.</summary>
    public TrustContext? TrustContext { get; init; }

    /// <summary>When set, peers' histories are checked against (and recorded in) it: rollbacks and forks are refused.</summary>
    public IIdentityHistories? Histories { get; init; }

    /// <summary>
    /// A listener's pacing of each identity's handshakes: asked once the peer has proved its identity (so nobody can spend
    /// another's turns), before its credentials and history are checked. It may wait (the peer's handshake, and its first
    /// messages, wait with it); false refuses the handshake (<see cref="HandshakeError.TooFrequent"/>).
    /// </summary>
    public Func<Identifier, CancellationToken, ValueTask<bool>>? Admission { get; init; }

    /// <summary>Credentials shown to the peer.</summary>
    public IReadOnlyList<CredentialPresentation> Credentials { get; init; } = [];

    /// <summary>
    /// Flows whose messages reach a listener (e.g. its transport's <see cref="Transports.TcpTransport.Flow"/>), or,
    /// for an initiator, reach its channel besides the flow of its route's first hop (e.g. a relay inbox's, when
    /// answers come back through a relay). A listener with none is reachable only by local code.
    /// </summary>
    public IReadOnlyList<FlowId> IncomingFlows { get; init; } = [];

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A channel that receives nothing for this long closes.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Messages per direction between key changes (Noise REKEY).</summary>
    public ulong RekeyInterval { get; init; } = 1UL << 16;

    /// <summary>How far behind the newest message a message may arrive and still be accepted (once).</summary>
    public int ReplayWindow { get; init; } = 1024;

    /// <summary>A listener's bound on handshakes in progress at once.</summary>
    public int MaxPendingHandshakes { get; init; } = 1024;

    /// <summary>A listener's bound on channels (open or opening) carried by one flow, e.g. one TCP connection.</summary>
    public int MaxChannelsPerFlow { get; init; } = 16;

    public const int MaxCredentials = 8;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Vault);
        ArgumentNullException.ThrowIfNull(Identity);
        ArgumentNullException.ThrowIfNull(StaticKey);
        ArgumentNullException.ThrowIfNull(TrustPolicy);
        if (StaticKey.Attestation.Purpose != Purpose.SecureChannelStatic || StaticKey.Key.Type != KeyType.X25519)
        {
            throw new ArgumentException("the static key must be an X25519 key attested for SecureChannelStatic", nameof(StaticKey));
        }

        if (StaticKey.Attestation.Subject != Identity.Identifier)
        {
            throw new ArgumentException("the static key is attested for another identity", nameof(StaticKey));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(Credentials.Count, MaxCredentials, nameof(Credentials));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero, nameof(HandshakeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(IdleTimeout, TimeSpan.Zero, nameof(IdleTimeout));
        ArgumentOutOfRangeException.ThrowIfZero(RekeyInterval, nameof(RekeyInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReplayWindow, 1, nameof(ReplayWindow));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ReplayWindow, 1 << 20, nameof(ReplayWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingHandshakes, 1, nameof(MaxPendingHandshakes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxChannelsPerFlow, 1, nameof(MaxChannelsPerFlow));
    }
}
