using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ockam.Client.Edge;

/// <summary>
/// Where this node is in each room, kept in <c>rooms.json</c> in its home: the epoch, the next generation
/// it may send (never reused), and the last message index seen. No secret: the epoch secret comes back
/// from the room's log, sealed to the node's persistent key.
/// </summary>
public sealed class RoomProgress(string path)
{
    private readonly Lock gate = new();
    private Dictionary<string, Entry>? entries;

    public IReadOnlyList<string> Rooms
    {
        get
        {
            lock (gate)
            {
                return [.. Load().Keys];
            }
        }
    }

    public Entry? Get(string room)
    {
        lock (gate)
        {
            return Load().GetValueOrDefault(room);
        }
    }

    public void Set(string room, Entry entry)
    {
        lock (gate)
        {
            var all = Load();
            all[room] = entry;
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(all, RoomProgressJson.Default.DictionaryStringEntry));
            File.Move(temporary, path, overwrite: true);
        }
    }

    private Dictionary<string, Entry> Load() =>
        entries ??= File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), RoomProgressJson.Default.DictionaryStringEntry) ?? [] : [];

    public sealed record Entry(ulong Epoch, ulong NextGeneration, ulong LastIndex);
}

[JsonSerializable(typeof(Dictionary<string, RoomProgress.Entry>))]
internal sealed partial class RoomProgressJson : JsonSerializerContext;
