using Ockam.Identity.Encoding;

namespace Ockam.Messaging.Api;

/// <summary>
/// A room or a topic: the kind is part of the id, never read off a name. Requests carry it as a <c>room</c> or a
/// <c>topic</c> field, and commits, messages and deliveries as <see cref="Value"/> (<c>room:&lt;name&gt;</c> or
/// <c>topic:&lt;name&gt;</c>), so a room named <c>topic:x</c> is <c>room:topic:x</c> and can never address topic <c>x</c>.
/// </summary>
public sealed record GroupId
{
    private const string RoomPrefix = "room:";
    private const string TopicPrefix = "topic:";

    private GroupId(GroupKind kind, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Kind = kind;
        Name = name;
    }

    public GroupKind Kind { get; }

    /// <summary>The name the room or topic was created with (its grain's key).</summary>
    public string Name { get; }

    /// <summary>"room" or "topic": the request field that names it, and the word people read.</summary>
    public string KindName => Kind == GroupKind.Room ? "room" : "topic";

    /// <summary>How messages name it: <c>room 'x'</c> or <c>topic 'x'</c>.</summary>
    public string Description => $"{KindName} '{Name}'";

    /// <summary>The id commits and messages are bound to, and deliveries name.</summary>
    public string Value => (Kind == GroupKind.Room ? RoomPrefix : TopicPrefix) + Name;

    public static GroupId Room(string name) => new(GroupKind.Room, name);

    public static GroupId Topic(string name) => new(GroupKind.Topic, name);

    /// <summary>The group a request names: exactly one of <paramref name="room"/> and <paramref name="topic"/>.</summary>
    /// <exception cref="OckamDecodeException">Both or neither, or an empty name.</exception>
    public static GroupId FromFields(string? room, string? topic) => (room, topic) switch
    {
        ({ Length: > 0 }, null) => Room(room),
        (null, { Length: > 0 }) => Topic(topic),
        _ => throw new OckamDecodeException("a group request names exactly one non-empty 'room' or 'topic'"),
    };

    /// <summary>Parses <see cref="Value"/>.</summary>
    /// <exception cref="OckamDecodeException">Neither a <c>room:</c> nor a <c>topic:</c> id.</exception>
    public static GroupId Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.StartsWith(RoomPrefix, StringComparison.Ordinal) && value.Length > RoomPrefix.Length)
        {
            return Room(value[RoomPrefix.Length..]);
        }

        return value.StartsWith(TopicPrefix, StringComparison.Ordinal) && value.Length > TopicPrefix.Length
            ? Topic(value[TopicPrefix.Length..])
            : throw new OckamDecodeException($"'{value}' is not a room or topic id");
    }

    /// <summary>Writes the <c>room</c> or the <c>topic</c> field, whichever this is.</summary>
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text(KindName, Name);
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static GroupId Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return FromFields(body.OptionalText("room", Operations.ApiLimits.MaxName), body.OptionalText("topic", Operations.ApiLimits.MaxName));
    }

    public override string ToString() => Value;
}
