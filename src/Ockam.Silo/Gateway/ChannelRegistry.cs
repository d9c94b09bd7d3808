using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Ockam.Identity.Credentials;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Silo.Gateway;

/// <summary>
/// The channels this gateway has open, so that a revocation closes the ones it affects at once — a channel
/// is authorized by what stands now, not by what stood at its handshake — telling the peer why.
/// </summary>
internal sealed partial class ChannelRegistry(ILogger<ChannelRegistry> logger)
{
    private readonly ConcurrentDictionary<SecureChannel, byte> open = new();

    public int Count => open.Count;

    public void Track(SecureChannel channel)
    {
        open.TryAdd(channel, 0);
        // Held for the channel's life: an awaiter's callback, not a continuation task (nothing here can throw).
        channel.Closed.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => open.TryRemove(channel, out byte _));
    }

    /// <summary>Closes every channel whose peer is one of <paramref name="subjects"/> or showed a credential of <paramref name="list"/>'s issuer that it revokes.</summary>
    public async Task CloseRevokedAsync(RevocationList list, IReadOnlyCollection<string> subjects)
    {
        var revoked = list.Data.RevokedSerials.ToHashSet();
        var named = subjects.ToHashSet(StringComparer.Ordinal);
        var closing = open.Keys.Where(c =>
            named.Contains(c.Peer.Identifier.ToString())
            || c.Peer.Credentials.Any(k => k.Issuer == list.Data.Issuer && revoked.Contains(k.Data.Serial))).ToList();
        foreach (var channel in closing)
        {
            LogClosing(logger, channel.Peer.Identifier);
            await channel.CloseAsync("revoked: this identity's membership or credential was revoked by the authority").ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "closing the channel of {Peer}: its credential or membership was revoked")]
    private static partial void LogClosing(ILogger logger, Ockam.Identity.Identities.Identifier peer);
}
