using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Ockam.Identity.Credentials;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Silo.Gateway;

/// <summary>
/// The channels this gateway has open, so that a revocation closes the ones it affects at once — a channel
/// is authorized by what stands now, not by what stood at its handshake — telling the peer why.
/// </summary>
internal sealed partial class ChannelRegistry(TimeProvider time, ILogger<ChannelRegistry> logger)
{
    /// <summary>How long a revoked channel's close message may wait to be sent before its keys go without it.</summary>
    internal static readonly TimeSpan CloseReasonPatience = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<SecureChannel, byte> open = new();

    public int Count => open.Count;

    public void Track(SecureChannel channel)
    {
        open.TryAdd(channel, 0);
        // Held for the channel's life: an awaiter's callback, not a continuation task (nothing here can throw).
        channel.Closed.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => open.TryRemove(channel, out byte _));
    }

    /// <summary>Closes every channel whose peer is one of <paramref name="subjects"/> or showed a credential of <paramref name="list"/>'s issuer that it revokes.</summary>
    /// <remarks>
    /// All at once, each telling its peer why for at most <see cref="CloseReasonPatience"/>: a revoked peer that stops
    /// reading (its channel's send side full) would otherwise hold this, and with it every later notice and refresh of
    /// the gateway, for as long as it liked, keeping its own channel and every one after it open.
    /// </remarks>
    public async Task CloseRevokedAsync(RevocationList list, IReadOnlyCollection<string> subjects)
    {
        var revoked = list.Data.RevokedSerials.ToHashSet();
        var named = subjects.ToHashSet(StringComparer.Ordinal);
        var closing = open.Keys.Where(c =>
            named.Contains(c.Peer.Identifier.ToString())
            || c.Peer.Credentials.Any(k => k.Issuer == list.Data.Issuer && revoked.Contains(k.Data.Serial))).ToList();
        using var patience = new CancellationTokenSource(CloseReasonPatience, time);
        await Task.WhenAll(closing.Select(channel =>
        {
            LogClosing(logger, channel.Peer.Identifier);
            return channel.CloseAsync("revoked: this identity's membership or credential was revoked by the authority", patience.Token);
        })).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "closing the channel of {Peer}: its credential or membership was revoked")]
    private static partial void LogClosing(ILogger logger, Ockam.Identity.Identities.Identifier peer);
}
