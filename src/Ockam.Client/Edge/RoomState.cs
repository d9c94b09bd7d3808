using Ockam.Identity.Mls;

namespace Ockam.Client.Edge;

/// <summary>
/// This node's place in one room or topic: its MLS group (<see cref="MlsGroup"/>), the last log index it handled, the
/// commit each recent epoch came from (by hash, so a second, different commit for an epoch already entered is seen for
/// the fork it is), the hashes of its own messages not yet met in the log (their keys are used up: they are passed
/// over, not read), and the messages read but not yet acknowledged by the consumer.
/// </summary>
internal sealed class RoomState(MlsGroup group, ulong lastIndex, IReadOnlyDictionary<ulong, byte[]> commits, IEnumerable<byte[]> sent, IEnumerable<RoomMessage> unshown) : IDisposable
{
    /// <summary>Commits remembered (by epoch) for fork detection: enough to cover any catch-up the log still serves.</summary>
    public const int RememberedCommits = 128;

    /// <summary>Own messages remembered until the log shows them (one sent just before a crash may never arrive).</summary>
    public const int RememberedSent = 1000;

    private readonly SortedDictionary<ulong, byte[]> commits = new(commits.ToDictionary());

    public MlsGroup Group { get; } = group;

    public ulong LastIndex { get; set; } = lastIndex;

    public IReadOnlyDictionary<ulong, byte[]> Commits => commits;

    public List<byte[]> Sent { get; } = [.. sent];

    public List<RoomMessage> Unshown { get; } = [.. unshown];

    /// <summary>Records that <paramref name="epoch"/> was entered by the commit of hash <paramref name="hash"/>.</summary>
    public void Entered(ulong epoch, byte[] hash)
    {
        commits[epoch] = hash;
        while (commits.Count > RememberedCommits)
        {
            commits.Remove(commits.Keys.First());
        }
    }

    /// <summary>Records a message of this node's own, by hash, before it leaves.</summary>
    public void Sending(byte[] hash)
    {
        Sent.Add(hash);
        if (Sent.Count > RememberedSent)
        {
            Sent.RemoveAt(0);
        }
    }

    /// <summary>Whether the log entry of hash <paramref name="hash"/> is a message of this node's own (then forgotten: it comes once).</summary>
    public bool IsOwn(byte[] hash) => Sent.RemoveAll(h => h.AsSpan().SequenceEqual(hash)) > 0;

    public void Dispose() => Group.Dispose();
}
