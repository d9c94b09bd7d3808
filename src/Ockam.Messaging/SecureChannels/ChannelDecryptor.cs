using System.Buffers.Binary;
using Ockam.Identity.Vault;

namespace Ockam.Messaging.SecureChannels;

/// <summary>
/// The receiving half of an open channel. Accepts each counter once, in any order inside the replay
/// window; keeps the keys of every epoch the window spans (for the default window and interval: the
/// current and the previous one). Nothing changes unless a message authenticates, so forged or
/// replayed input cannot move the window, burn keys or close the channel.
/// </summary>
internal sealed class ChannelDecryptor : IDisposable
{
    private readonly IVault vault;
    private readonly ulong rekeyInterval;
    private readonly ulong window;
    private readonly ulong maxEpochsAhead;
    private readonly ReplayWindow replay;
    private readonly SortedDictionary<ulong, KeyHandle> keys = [];

    public ChannelDecryptor(IVault vault, KeyHandle key, ulong rekeyInterval, int window)
    {
        this.vault = vault;
        this.rekeyInterval = rekeyInterval;
        this.window = (ulong)window;
        replay = new ReplayWindow(window);

        // Far enough ahead for any message inside one window's reach, no further.
        maxEpochsAhead = (this.window / rekeyInterval) + 1;
        keys[0] = key;
    }

    /// <summary>Test hook: the key epochs held now.</summary>
    internal int KeysHeld => keys.Count;

    public DataRejection? TryDecrypt(ReadOnlySpan<byte> message, out byte[] plaintext)
    {
        plaintext = [];
        if (message.Length < ChannelEncryptor.CounterSize + Aead.TagSize)
        {
            return DataRejection.Malformed;
        }

        var counter = BinaryPrimitives.ReadUInt64BigEndian(message);
        if (counter == ulong.MaxValue)
        {
            return DataRejection.Malformed;
        }

        if (replay.Check(counter) is { } rejection)
        {
            return rejection;
        }

        var epoch = counter / rekeyInterval;
        var newest = keys.Keys.Max();
        if (epoch < keys.Keys.Min())
        {
            return DataRejection.TooOld;
        }

        if (epoch > newest + maxEpochsAhead)
        {
            return DataRejection.TooFarAhead;
        }

        // Keys for epochs not reached yet are derived tentatively and kept only if the message authenticates.
        var derived = new List<KeyHandle>();
        var key = keys.TryGetValue(epoch, out var known) ? known : null;
        if (key is null)
        {
            var from = keys[newest];
            for (var e = newest; e < epoch; e++)
            {
                from = vault.Rekey(from);
                derived.Add(from);
            }

            key = from;
        }

        var ciphertext = message[ChannelEncryptor.CounterSize..];
        var output = new byte[ciphertext.Length - Aead.TagSize];
        if (!vault.TryDecrypt(key, CipherState.NonceBytes(counter), ciphertext, [], output))
        {
            derived.ForEach(vault.DeleteEphemeralKey);
            return DataRejection.DecryptionFailed;
        }

        for (var i = 0; i < derived.Count; i++)
        {
            keys[newest + 1 + (ulong)i] = derived[i];
        }

        replay.Mark(counter);
        Prune();
        plaintext = output;
        return null;
    }

    public void Dispose()
    {
        foreach (var key in keys.Values)
        {
            vault.DeleteEphemeralKey(key);
        }

        keys.Clear();
    }

    private void Prune()
    {
        var oldestNeeded = replay.Highest >= window ? (replay.Highest - window + 1) / rekeyInterval : 0;
        foreach (var epoch in keys.Keys.Where(e => e < oldestNeeded).ToList())
        {
            vault.DeleteEphemeralKey(keys[epoch]);
            keys.Remove(epoch);
        }
    }
}
