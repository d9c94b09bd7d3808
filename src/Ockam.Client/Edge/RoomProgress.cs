using System.Text.Json;
using System.Text.Json.Serialization;
using Ockam.Identity.Encoding;
using Ockam.Identity.Files;
using Ockam.Messaging.Api;

namespace Ockam.Client.Edge;

/// <summary>
/// Where this node is in each room or topic, kept in <c>rooms.json</c> in its home (keyed by <see cref="GroupId.Value"/>):
/// the epoch, the next generation it may send (never reused), and the last message index shown (acknowledged by the
/// consumer after printing, not merely read) with the epoch it was in, where reading starts again. No secret:
/// the epoch secret comes back from the room's log, sealed to the node's persistent key.
/// </summary>
/// <remarks>
/// Written with <see cref="AtomicFile"/> (file and directory flushed) before what it records is used: a generation is
/// saved before its message leaves, so no crash can make it be sent twice. Only one process writes it: the node
/// home's lock (<see cref="NodeHomeLock"/>) keeps a second one out; inside it, only under <see cref="RoomClient"/>'s lock.
/// </remarks>
internal sealed class RoomProgress(string path)
{
    private Dictionary<string, Entry>? entries;

    /// <summary>Rooms and topics this node has been in (entries from before ids carried their kind are left out).</summary>
    public async Task<IReadOnlyList<GroupId>> GroupsAsync(CancellationToken cancellationToken = default) =>
        [.. (await LoadAsync(cancellationToken).ConfigureAwait(false)).Keys.Select(Parsed).OfType<GroupId>()];

    public async Task<Entry?> GetAsync(GroupId group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        return (await LoadAsync(cancellationToken).ConfigureAwait(false)).GetValueOrDefault(group.Value);
    }

    public async Task SetAsync(GroupId group, Entry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        var all = await LoadAsync(cancellationToken).ConfigureAwait(false);
        if (all.GetValueOrDefault(group.Value) == entry)
        {
            return;
        }

        // The copy in memory changes only once the file has: a failed write must not make this process act on
        // progress it would forget on a restart (a generation it believes saved, a message it believes shown).
        var next = new Dictionary<string, Entry>(all) { [group.Value] = entry };
        await AtomicFile.WriteAsync(path, JsonSerializer.SerializeToUtf8Bytes(next, RoomProgressJson.Default.DictionaryStringEntry), cancellationToken).ConfigureAwait(false);
        entries = next;
    }

    private async Task<Dictionary<string, Entry>> LoadAsync(CancellationToken cancellationToken) =>
        entries ??= File.Exists(path)
            ? JsonSerializer.Deserialize(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), RoomProgressJson.Default.DictionaryStringEntry) ?? []
            : [];

    private static GroupId? Parsed(string key)
    {
        try
        {
            return GroupId.Parse(key);
        }
        catch (OckamDecodeException)
        {
            return null;
        }
    }

    /// <param name="Epoch">The epoch this node is in.</param>
    /// <param name="NextGeneration">The next generation it may send in <paramref name="Epoch"/>.</param>
    /// <param name="LastIndex">The last message index shown.</param>
    /// <param name="ShownEpoch">The epoch <paramref name="LastIndex"/> was in (0 in files from before it was kept: the saved epoch then).</param>
    public sealed record Entry(ulong Epoch, ulong NextGeneration, ulong LastIndex, ulong ShownEpoch = 0);
}

[JsonSerializable(typeof(Dictionary<string, RoomProgress.Entry>))]
internal sealed partial class RoomProgressJson : JsonSerializerContext;
