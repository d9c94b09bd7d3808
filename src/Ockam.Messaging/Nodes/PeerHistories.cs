using System.Formats.Cbor;
using Ockam.Identity.Encoding;
using Ockam.Identity.Files;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Messaging.Nodes;

/// <summary>
/// The longest histories of the peers this node has trusted (the silo and end-to-end peers), kept in its home
/// (<c>peers.cbor</c>: <c>{0: 1, 1: [[history, compromised], ...]}</c>, public data), so that no restart of the
/// node lets a peer's rotated-away key back in, nor forgets that a peer's history forked. Only peers that passed
/// the trust policy are recorded, at most <see cref="MaxPeers"/>; beyond that, new peers are checked in memory only.
/// A peer known only by its first change is recorded with the next write, not with one of its own.
/// </summary>
public sealed class PeerHistories : IIdentityHistories, IDisposable
{
    private const uint Version = 1;
    /// <summary>What a node will read; new peers are recorded only while the file stays under <see cref="StoreBudget"/>.</summary>
    private const int MaxFileSize = 64 * 1024 * 1024;

    /// <summary>
    /// New peers are recorded while the store holds less than this; existing ones still grow when they rotate, which
    /// the read limit leaves room for. Peers past it are remembered in memory only.
    /// </summary>
    private const int StoreBudget = 8 * 1024 * 1024;
    public const int MaxPeers = 10_000;
    private readonly KnownIdentities known;
    private readonly KnownIdentities unrecorded;
    private readonly IVault vault;
    private long storedBytes;
    private readonly string path;
    private readonly SemaphoreSlim saving = new(1, 1);

    private PeerHistories(KnownIdentities known, IVault vault, string path)
    {
        this.known = known;
        unrecorded = new KnownIdentities(vault);
        storedBytes = known.Entries().Sum(e => (long)e.History.Encode().Length);
        this.vault = vault;
        this.path = path;
    }

    /// <exception cref="OckamDecodeException">The file is malformed: better to stop than to forget what it held.</exception>
    public static PeerHistories Open(string home, IVault vault, DateTimeOffset now)
    {
        var path = Path.Combine(home, "peers.cbor");
        var known = new KnownIdentities(vault);
        if (File.Exists(path))
        {
            var histories = CborDecoder.Decode(File.ReadAllBytes(path), MaxFileSize, "known peers", d =>
            {
                if (d.ReadMapStart(2) != 2)
                {
                    throw d.Error("the known-peers file has exactly two fields");
                }

                d.ReadVersion(Version);
                d.ExpectKey(1);
                var count = d.ReadArrayStart(MaxPeers);
                var list = new List<(byte[] History, bool Compromised)>(count);
                for (var i = 0; i < count; i++)
                {
                    if (d.ReadArrayStart(2) != 2)
                    {
                        throw d.Error("a known peer is [history, compromised]");
                    }

                    list.Add((d.ReadBytes(1, MaxFileSize), d.ReadBoolean()));
                    d.ReadArrayEnd();
                }

                d.ReadArrayEnd();
                d.ReadMapEnd();
                return list;
            });
            foreach (var (history, compromised) in histories)
            {
                known.Restore(ChangeHistory.Decode(history), compromised, now);
            }
        }

        return new PeerHistories(known, vault, path);
    }

    public async ValueTask<VerifiedIdentity> AcceptAsync(ChangeHistory presented, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(presented);

        // One at a time: the decision to record a new peer and the write that follows go together.
        await saving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var before = known.Get(presented.Identifier)?.History;
            if (before is null && !known.IsCompromised(presented.Identifier)
                && (known.Count >= MaxPeers || storedBytes + presented.Encode().Length > StoreBudget))
            {
                // Full: the peer is held to the same rule, in this process only, rather than the file outgrowing its limits.
                return unrecorded.Accept(presented, now);
            }

            VerifiedIdentity accepted;
            try
            {
                accepted = known.Accept(presented, now);
            }
            catch (IdentityException e) when (e.Error == IdentityError.Fork)
            {
                // A fork marks the identity compromised: that must outlive this process too.
                await SaveAsync(cancellationToken).ConfigureAwait(false);
                throw;
            }

            // A new peer's first change alone is kept in memory, not written: it cannot roll anything back (the
            // identifier is its hash) nor fork from anything, so a restart that forgets it lets nothing in that this
            // node would refuse; a fresh node meeting a silo that never rotated writes nothing for it. Anything longer,
            // or longer than what was known, is written before the channel opens.
            if (before is null && accepted.History.Changes.Count == 1)
            {
                // Counted against the budget now: the next write holds it.
                storedBytes += accepted.History.Encode().Length;
            }
            else if (before is null || !before.Encode().AsSpan().SequenceEqual(accepted.History.Encode()))
            {
                await SaveAsync(cancellationToken).ConfigureAwait(false);
            }

            return accepted;
        }
        finally
        {
            saving.Release();
        }
    }

    public void Dispose() => saving.Dispose();

    /// <summary>Called with <see cref="saving"/> held.</summary>
    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        var writer = new CborWriter(CborConformanceMode.Canonical);
        var entries = known.Entries();
        writer.WriteStartMap(2);
        writer.WriteUInt32(0);
        writer.WriteUInt32(Version);
        writer.WriteUInt32(1);
        writer.WriteStartArray(entries.Count);
        long bytes = 0;
        foreach (var (history, compromised) in entries)
        {
            var encoded = history.Encode();
            bytes += encoded.Length;
            writer.WriteStartArray(2);
            writer.WriteByteString(encoded);
            writer.WriteBoolean(compromised);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndMap();
        await AtomicFile.WriteAsync(path, writer.Encode(), cancellationToken).ConfigureAwait(false);
        storedBytes = bytes;
    }
}
