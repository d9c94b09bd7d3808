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
/// Where this node keeps its rooms and topics, in <c>rooms/</c> of its home, their secrets wrapped by the vault under a
/// persistent key that never leaves it. Per group, two kinds of file:
/// <list type="bullet">
/// <item><c>&lt;group&gt;.&lt;hash&gt;.epoch</c>: the MLS epoch state (<see cref="MlsGroup.SaveEpoch"/>: ratchet tree,
/// epoch secrets, own private keys — what grows with the group's size), written once per epoch and named by its
/// SHA-256;</item>
/// <item><c>&lt;group&gt;.room</c>: what changes with every message, its size independent of the group's — encoded
/// <c>{0: version, 1: group id, 2: SHA-256 of the epoch state, 3: MLS progress record (<see cref="MlsGroup.SaveProgress"/>:
/// the secret tree), 4: last index, 5: [[epoch, commit hash]...], 6: [own message hash...], 7: sealed unshown
/// messages}</c>. It is the commit point: it names the one epoch state it goes with, so the MLS state and the log
/// positions can never disagree after a crash.</item>
/// </list>
/// A new epoch's state is on disk before a record names it, and the previous epoch's is deleted only once one does. A
/// record of version 1 (seven fields, the whole MLS state in field 2: a node's files from before) is read as it is and
/// replaced by version 2 at the group's next save. The
/// unshown messages (plaintext, which must outlive the keys MLS deleted once they were read) are sealed by the vault
/// under the same key, as the CBOR array <c>[[index, epoch, sender, payload]...]</c>.
/// </summary>
/// <remarks>
/// Written with <see cref="AtomicFile"/> (file and directory flushed) before what it records is used — a sending
/// generation is on disk before its message leaves, so none is ever used twice — by one process only: the node home's
/// lock (<see cref="NodeHomeLock"/>) keeps a second one out, and inside it <see cref="RoomClient"/> writes under its lock.
/// </remarks>
internal sealed class RoomStore(string directory, IVault vault)
{
    public const uint Version = 2;

    /// <summary>A saved group: its tree grows with its members (about 300 bytes each), so 10 000 of them fit well within.</summary>
    public const int MaxSize = 64 * 1024 * 1024;
    private const string KeyFile = "state-key";
    private const string Suffix = ".room";
    private const string EpochSuffix = ".epoch";
    private const int MaxGroupIdBytes = 256;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int MaxSenderBytes = 256;
    private const int Fields = 8;

    /// <summary>The record's first version: the whole MLS state in field 2, seven fields. Read, never written.</summary>
    private const uint LegacyVersion = 1;
    private const int LegacyFields = 7;

    /// <summary>Unshown messages kept at most (reading stops there until the consumer acknowledges).</summary>
    public const int MaxUnshown = 1000;

    private KeyHandle? wrappingKey;

    /// <summary>The SHA-256 of each group's epoch state on disk, as its record names it: progress is saved over it until the epoch changes.</summary>
    private readonly Dictionary<GroupId, byte[]> epochStates = [];

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
                var fields = ReadHeader(d) == Version ? Fields : LegacyFields;
                d.ExpectKey(1);
                var group = GroupId.Parse(d.ReadText(MaxGroupIdBytes));
                for (var key = 2u; key < fields; key++)
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
        var (epochState, mlsState, lastIndex, commits, sent, sealedUnshown) = Unreadable(path, () => CborDecoder.Decode(bytes, MaxSize, "room state", d =>
        {
            var version = ReadHeader(d);
            d.ExpectKey(1);
            if (d.ReadText(MaxGroupIdBytes) != group.Value)
            {
                throw d.Error("the file holds another group's state");
            }

            // Version 1 held the whole MLS state where version 2 names its epoch state and holds the progress record.
            var field = 2u;
            byte[]? epochHash = null;
            if (version == Version)
            {
                d.ExpectKey(field++);
                epochHash = d.ReadFixedBytes(SHA256.HashSizeInBytes);
            }

            d.ExpectKey(field++);
            var mls = d.ReadBytes(1, MaxSize);
            d.ExpectKey(field++);
            var last = d.ReadUInt64();
            d.ExpectKey(field++);
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
            d.ExpectKey(field++);
            var own = new List<byte[]>();
            for (var i = d.ReadArrayStart(RoomState.RememberedSent); i > 0; i--)
            {
                own.Add(d.ReadFixedBytes(SHA256.HashSizeInBytes));
            }

            d.ReadArrayEnd();
            d.ExpectKey(field);
            var unshown = d.ReadBytes(0, MaxSize);
            d.ReadMapEnd();
            return (epochHash, mls, last, hashes, own, unshown);
        }));

        if (epochState is null)
        {
            // Saved by version 1, whole: restored as it is, and written as version 2 (epoch state, then record) at
            // the next save, which replaces this file.
            var unshownBefore = Unreadable(path, () => Unseal(group, key, sealedUnshown));
            var whole = Unreadable(path, () => MlsGroup.Restore(services, key, signatureKey, mlsState));
            return new RoomState(whole, lastIndex, commits, sent, unshownBefore);
        }

        var progress = mlsState;
        var epochPath = EpochPath(group, epochState);
        if (!File.Exists(epochPath) || new FileInfo(epochPath).Length > MaxSize)
        {
            throw Unreadable(path, $"the epoch state it names ({Path.GetFileName(epochPath)}) is missing or oversized");
        }

        var epochBytes = await File.ReadAllBytesAsync(epochPath, cancellationToken).ConfigureAwait(false);
        var unshown = Unreadable(path, () => Unseal(group, key, sealedUnshown));

        // The progress record opens only over the epoch state whose hash it names: a file swapped in is refused.
        var mlsGroup = Unreadable(path, () => MlsGroup.Restore(services, key, signatureKey, epochBytes, progress));
        epochStates[group] = epochState;

        // A crash between a new epoch's two writes leaves that epoch's state unnamed: the record names this one.
        DeleteEpochs(group, except: epochState);
        return new RoomState(mlsGroup, lastIndex, commits, sent, unshown);
    }

    /// <summary>
    /// Saves <paramref name="state"/>: its progress — a record whose size does not grow with the group — over the epoch
    /// state already on disk, or, after a new epoch (or at first), the new epoch's state first, then the record naming it.
    /// </summary>
    public async Task SaveAsync(GroupId group, RoomState state, CancellationToken cancellationToken)
    {
        var key = await WrappingKeyAsync(cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(directory);
        var onDisk = epochStates.GetValueOrDefault(group);
        byte[] epochHash;
        byte[] progress;
        if (onDisk is not null && state.Group.SaveProgress(key, onDisk) is { } over)
        {
            (epochHash, progress) = (onDisk, over);
        }
        else
        {
            var epochState = state.Group.SaveEpoch(key);
            epochHash = SHA256.HashData(epochState);
            await AtomicFile.WriteAsync(EpochPath(group, epochHash), epochState, cancellationToken).ConfigureAwait(false);
            progress = state.Group.SaveProgress(key, epochHash) ?? throw new InvalidOperationException("the group refused progress over the epoch state it just saved");
        }

        var bytes = CborEncoder.Encode(w =>
        {
            w.WriteStartMap(Fields);
            w.WriteUInt32(0);
            w.WriteUInt32(Version);
            w.WriteUInt32(1);
            w.WriteTextString(group.Value);
            w.WriteUInt32(2);
            w.WriteByteString(epochHash);
            w.WriteUInt32(3);
            w.WriteByteString(progress);
            w.WriteUInt32(4);
            w.WriteUInt64(state.LastIndex);
            w.WriteUInt32(5);
            w.WriteStartArray(state.Commits.Count);
            foreach (var (epoch, hash) in state.Commits)
            {
                w.WriteStartArray(2);
                w.WriteUInt64(epoch);
                w.WriteByteString(hash);
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteUInt32(6);
            w.WriteStartArray(state.Sent.Count);
            foreach (var hash in state.Sent)
            {
                w.WriteByteString(hash);
            }

            w.WriteEndArray();
            w.WriteUInt32(7);
            w.WriteByteString(Seal(group, key, state.Unshown));
            w.WriteEndMap();
        });
        await AtomicFile.WriteAsync(PathOf(group), bytes, cancellationToken).ConfigureAwait(false);
        if (onDisk is null || !onDisk.AsSpan().SequenceEqual(epochHash))
        {
            // Named now: the epochs left behind (their secrets with them) go.
            epochStates[group] = epochHash;
            DeleteEpochs(group, except: epochHash);
        }
    }

    /// <summary>Forgets <paramref name="group"/> (this node was removed from it: nothing more to read or send).</summary>
    public void Delete(GroupId group)
    {
        File.Delete(PathOf(group));
        epochStates.Remove(group);
        DeleteEpochs(group, except: null);
    }

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

    /// <summary>
    /// Reads a record's map header and version: <see cref="Version"/> with <see cref="Fields"/> fields, or
    /// <see cref="LegacyVersion"/> (a node's files from before epoch states had files of their own) with
    /// <see cref="LegacyFields"/>.
    /// </summary>
    private static uint ReadHeader(CborDecoder d)
    {
        var count = d.ReadMapStart(Fields);
        d.ExpectKey(0);
        var version = d.ReadUInt32();
        if ((version, count) is not ((Version, Fields) or (LegacyVersion, LegacyFields)))
        {
            throw d.Error($"a room state of version {version} with {count} fields (version {Version} has {Fields}, {LegacyVersion} has {LegacyFields})");
        }

        return version;
    }

    /// <summary>Deletes the epoch states of <paramref name="group"/> but the one of hash <paramref name="except"/>.</summary>
    private void DeleteEpochs(GroupId group, byte[]? except)
    {
        var keep = except is null ? null : EpochPath(group, except);
        foreach (var file in Directory.EnumerateFiles(directory, NameOf(group) + ".*" + EpochSuffix))
        {
            if (file != keep)
            {
                File.Delete(file);
            }
        }
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
            throw Unreadable(path, e.Message);
        }
    }

    private static EdgeException Unreadable(string path, string why) =>
        new(ApiStatus.BadRequest, $"the saved room state {path} cannot be read ({why}): restore it from a backup, or remove it and be invited again");

    // A group id may hold any character: the files are named by its hash.
    private static string NameOf(GroupId group) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(group.Value)))[..32];

    private string PathOf(GroupId group) => Path.Combine(directory, NameOf(group) + Suffix);

    private string EpochPath(GroupId group, byte[] epochHash) => Path.Combine(directory, $"{NameOf(group)}.{Convert.ToHexStringLower(epochHash)}{EpochSuffix}");
}
