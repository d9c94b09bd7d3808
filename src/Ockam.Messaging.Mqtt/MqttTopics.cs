using System.Buffers;

namespace Ockam.Messaging.Mqtt;

/// <summary>
/// The topics of one node. A frame from a peer that dialled it arrives on <c>&lt;prefix&gt;/&lt;node&gt;/in/&lt;peer&gt;</c>;
/// a frame answering a connection it dialled, on <c>&lt;prefix&gt;/&lt;node&gt;/reply/&lt;peer&gt;</c>. Two kinds, because
/// a pair of nodes may have a connection each way at once, as two TCP connections would be, and each is its own flow.
/// </summary>
internal sealed class MqttTopics(string prefix, string node)
{
    /// <summary>Longest node name, in bytes: it is an address value, and short topics cost less on every frame.</summary>
    public const int MaxNameLength = 64;

    private const string In = "in";
    private const string Reply = "reply";

    /// <summary>Letters, digits, '.', '_' and '-': never a topic separator or wildcard, never anything a log misreads.</summary>
    private static readonly SearchValues<char> NameCharacters = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    /// <summary>The filters this node subscribes to.</summary>
    public IReadOnlyList<string> Subscriptions { get; } = [$"{prefix}/{node}/{In}/+", $"{prefix}/{node}/{Reply}/+"];

    /// <summary>Where a node that dials <paramref name="peer"/> publishes.</summary>
    public string DialledTo(string peer) => $"{prefix}/{peer}/{In}/{node}";

    /// <summary>Where a node that <paramref name="peer"/> dialled publishes its side of that connection.</summary>
    public string AcceptedTo(string peer) => $"{prefix}/{peer}/{Reply}/{node}";

    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && !name.AsSpan().ContainsAnyExcept(NameCharacters);

    public static void ValidateName(string? name, string parameter)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"a name on the broker is 1 to {MaxNameLength} letters, digits, '.', '_' or '-'", parameter);
        }
    }

    /// <summary>Reads a topic this node received on: which peer sent it, and whether it answers a connection this node dialled.</summary>
    public bool TryParse(string topic, out string peer, out bool reply)
    {
        peer = string.Empty;
        reply = false;
        var parts = topic.Split('/');
        if (parts.Length != 4 || parts[0] != prefix || parts[1] != node || !IsValidName(parts[3]))
        {
            return false;
        }

        reply = parts[2] == Reply;
        peer = parts[3];
        return reply || parts[2] == In;
    }
}
