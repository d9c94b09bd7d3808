using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using Ockam.Identity.Encoding;
using Ockam.Identity.Files;
using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;

namespace Ockam.Client.Edge;

/// <summary>
/// Where this node keeps its rooms and topics: one file per group in <c>rooms/</c> of its home, holding the MLS group's
/// saved state (its secrets wrapped by the vault under a persistent key that never leaves it) together with the log
/// positions, so the two can never disagree after a crash. Encoded <c>{0: version, 1: group id, 2: MLS state, 3: last
/// index, 4: [[epoch, commit hash]...], 5: [own message hash...], 6: sealed unshown messages}</c>; the unshown messages
/// (plaintext, which must outlive the keys MLS deleted once they were read) are sealed by the vault under the same key,
/// as the CBOR array <c>[[index, epoch, sender, payload]...]</c>.
/// </summary>
/// <remarks>
/// Written with <see cref="AtomicFile"/> (file and directory flushed) before what it records is used — a sending
/// generation is on disk before its message leaves, so none is ever used twice — by one process only: the node home's
/// lock (<see cref="NodeHomeLock"/>) keeps a second one out, and inside it <see cref="RoomClient"/> writes under its lock.
/// </remarks>
internal sealed class RoomStore(string directory, IVault vault)
{
    public const uint Version = 1;

    /// <summary>A saved group: its tree grows with its members (about 300 bytes each), so 10 000 of them fit well within.</summary>
    public const int MaxSize = 64 * 1024 * 1024;
    private const string KeyFile = "state-key";
    private const string Suffix = ".room";
    private const int MaxGroupIdBytes = 256;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int MaxSenderBytes = 256;

    /// <summary>Unshown messages kept at most (reading stops there until the consumer acknowledges).</summary>
    public const int MaxUnshown = 1000;

    private KeyHandle? wrappingKey;

    /// <summary>The groups this node has state for.</summary>
    public async Task<IReadOnlyList<GroupId>> GroupsAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var groups = new List<GroupId>();
        foreach (var file in Directory.EnumerateFiles(directory, "*" + Suffix))
        {
            var bytes = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
            groups.Add(Unreadable(file, () => CborDecoder.Decode(bytes, MaxSize, "room state", d =>
            {
                if (d.ReadMapStart(7) != 7)
                {
                    throw d.Error("a room state has exactly seven fields");
                }

                d.ReadVersion(Version);
                d.ExpectKey(1);
                var group = GroupId.Parse(d.ReadText(MaxGroupIdBytes));
                for (var key = 2u; key <= 6; key++)
                {
                    d.ExpectKey(key);
                    d.ReadEncodedValue();
                }

                d.ReadMapEnd();
                return group;
            })));
        }

        return groups;
    }

    /// <summary>The saved state of <paramref name="group"/>, restored, or null when this node has none.</summary>
    /// <exception cref="OckamDecodeException">The file is malformed, or another group's.</exception>
    /// <exception cref="MlsGroupException">The MLS state does not unwrap (tampered, or another node's).</exception>
    public async Task<RoomState?> LoadAsync(GroupId group, MlsGroupServices services, KeyHandle signatureKey, CancellationToken cancellationToken)
    {
        var path = PathOf(group);
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var key = await WrappingKeyAsync(cancellationToken).ConfigureAwait(false);
        var (saved, lastIndex, commits, sent, sealedUnshown) = Unreadable(path, () => CborDecoder.Decode(bytes, MaxSize, "room state", d =>
        {
            if (d.ReadMapStart(7) != 7)
            {
                throw d.Error("a room state has exactly seven fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            if (d.ReadText(MaxGroupIdBytes) != group.Value)
            {
                throw d.Error("the file holds another group's state");
            }

            d.ExpectKey(2);
            var mls = d.ReadBytes(1, MaxSize);
            d.ExpectKey(3);
            var last = d.ReadUInt64();
            d.ExpectKey(4);
            var count = d.ReadArrayStart(RoomState.RememberedCommits);
            var hashes = new Dictionary<ulong, byte[]>(count);
            for (var i = 0; i < count; i++)
            {
                d.ReadArrayStart(2);
                var at = d.ReadUInt64();
                hashes[at] = d.ReadFixedBytes(SHA256.HashSizeInBytes);
                d.ReadArrayEnd();
            }

            d.ReadArrayEnd();
            d.ExpectKey(5);
            var own = new List<byte[]>();
            for (var i = d.ReadArrayStart(RoomState.RememberedSent); i > 0; i--)
            {
                own.Add(d.ReadFixedBytes(SHA256.HashSizeInBytes));
            }

            d.ReadArrayEnd();
            d.ExpectKey(6);
            var unshown = d.ReadBytes(0, MaxSize);
            d.ReadMapEnd();
            return (mls, last, hashes, own, unshown);
        }));

        var unshown = Unreadable(path, () => Unseal(group, key, sealedUnshown));
        var mlsGroup = Unreadable(path, () => MlsGroup.Restore(services, key, signatureKey, saved));
        return new RoomState(mlsGroup, lastIndex, commits, sent, unshown);
    }

    public async Task SaveAsync(GroupId group, RoomState state, CancellationToken cancellationToken)
    {
        var key = await WrappingKeyAsync(cancellationToken).ConfigureAwait(false);
        var saved = state.Group.Save(key);
        var bytes = CborEncoder.Encode(w =>
        {
            w.WriteStartMap(7);
            w.WriteUInt32(0);
            w.WriteUInt32(Version);
            w.WriteUInt32(1);
            w.WriteTextString(group.Value);
            w.WriteUInt32(2);
            w.WriteByteString(saved);
            w.WriteUInt32(3);
            w.WriteUInt64(state.LastIndex);
            w.WriteUInt32(4);
            w.WriteStartArray(state.Commits.Count);
            foreach (var (epoch, hash) in state.Commits)
            {
                w.WriteStartArray(2);
                w.WriteUInt64(epoch);
                w.WriteByteString(hash);
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteUInt32(5);
            w.WriteStartArray(state.Sent.Count);
            foreach (var hash in state.Sent)
            {
                w.WriteByteString(hash);
            }

            w.WriteEndArray();
            w.WriteUInt32(6);
            w.WriteByteString(Seal(group, key, state.Unshown));
            w.WriteEndMap();
        });
        Directory.CreateDirectory(directory);
        await AtomicFile.WriteAsync(PathOf(group), bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets <paramref name="group"/> (this node was removed from it: nothing more to read or send).</summary>
    public void Delete(GroupId group) => File.Delete(PathOf(group));

    /// <summary>
    /// The persistent AES key the group states are wrapped under, made on first use; its handle (no secret) is kept in
    /// <c>rooms/state-key</c>, the key itself only in the vault.
    /// </summary>
    private async Task<KeyHandle> WrappingKeyAsync(CancellationToken cancellationToken)
    {
        if (wrappingKey is not null)
        {
            return wrappingKey;
        }

        var path = Path.Combine(directory, KeyFile);
        if (File.Exists(path))
        {
            var handle = new KeyHandle((await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim(), KeyType.AesGcm);
            if (!vault.Contains(handle))
            {
                throw new EdgeException(ApiStatus.BadRequest, $"the vault no longer holds the key this node's rooms are saved under ({path})");
            }

            return wrappingKey = handle;
        }

        Directory.CreateDirectory(directory);
        var key = await vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Persistent, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAsync(path, Encoding.UTF8.GetBytes(key.Id), cancellationToken).ConfigureAwait(false);
        return wrappingKey = key;
    }

    private byte[] Seal(GroupId group, KeyHandle key, List<RoomMessage> unshown)
    {
        var plaintext = CborEncoder.Encode(w =>
        {
            w.WriteStartArray(unshown.Count);
            foreach (var message in unshown)
            {
                w.WriteStartArray(4);
                w.WriteUInt64(message.Index);
                w.WriteUInt64(message.Epoch);
                w.WriteTextString(message.Sender.ToString());
                w.WriteByteString(message.Payload.Span);
                w.WriteEndArray();
            }

            w.WriteEndArray();
        });
        var sealedBytes = new byte[NonceSize + plaintext.Length + TagSize];
        RandomNumberGenerator.Fill(sealedBytes.AsSpan(0, NonceSize));
        vault.Encrypt(key, sealedBytes.AsSpan(0, NonceSize), plaintext, SealingContext(group), sealedBytes.AsSpan(NonceSize));
        CryptographicOperations.ZeroMemory(plaintext);
        return sealedBytes;
    }

    /// <exception cref="OckamDecodeException">The sealed messages do not open under this node's key for this group, or are malformed.</exception>
    private List<RoomMessage> Unseal(GroupId group, KeyHandle key, byte[] sealedBytes)
    {
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new OckamDecodeException("room state: the unshown messages are truncated");
        }

        var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
        if (!vault.TryDecrypt(key, sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize), SealingContext(group), plaintext))
        {
            throw new OckamDecodeException("room state: the unshown messages do not open (tampered, or another group's or node's)");
        }

        return CborDecoder.Decode(plaintext, MaxSize, "unshown room messages", d =>
        {
            var messages = new List<RoomMessage>();
            for (var i = d.ReadArrayStart(MaxUnshown); i > 0; i--)
            {
                d.ReadArrayStart(4);
                var index = d.ReadUInt64();
                var epoch = d.ReadUInt64();
                var sender = d.ReadText(MaxSenderBytes);
                if (!Identifier.TryParse(sender, out var identifier))
                {
                    throw d.Error("an unshown message's sender is not an identifier");
                }

                messages.Add(new RoomMessage(group, identifier, d.ReadBytes(0, MaxSize), index, epoch));
                d.ReadArrayEnd();
            }

            d.ReadArrayEnd();
            return messages;
        });
    }

    private static byte[] SealingContext(GroupId group) => Encoding.UTF8.GetBytes("ockam room unshown 1\0" + group.Value);

    /// <summary>What <paramref name="read"/> gives, or a clear error naming the file that is not a room state this node can open.</summary>
    private static T Unreadable<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is OckamDecodeException or MlsGroupException)
        {
            throw new EdgeException(ApiStatus.BadRequest, $"the saved room state {path} cannot be read ({e.Message}): restore it from a backup, or remove it and be invited again");
        }
    }

    // A group id may hold any character: the file is named by its hash.
    private string PathOf(GroupId group) =>
        Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(group.Value)))[..32] + Suffix);
}
