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
/// </summary>
public sealed class PeerHistories : IIdentityHistories, IDisposable
{
    private const uint Version = 1;
    private const int MaxFileSize = 4 * 1024 * 1024;
    public const int MaxPeers = 10_000;
    private readonly KnownIdentities known;
    private readonly IVault vault;
    private readonly string path;
    private readonly SemaphoreSlim saving = new(1, 1);

    private PeerHistories(KnownIdentities known, IVault vault, string path)
    {
        this.known = known;
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
        var before = known.Get(presented.Identifier)?.History;
        if (before is null && known.Count >= MaxPeers && !known.IsCompromised(presented.Identifier))
        {
            // Full: a new peer is checked like any other but not remembered, rather than the file outgrowing its limits.
            return presented.Verify(vault, now);
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

        if (before is null || !before.Encode().AsSpan().SequenceEqual(accepted.History.Encode()))
        {
            await SaveAsync(cancellationToken).ConfigureAwait(false);
        }

        return accepted;
    }

    public void Dispose() => saving.Dispose();

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        await saving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var writer = new CborWriter(CborConformanceMode.Canonical);
            var entries = known.Entries();
            writer.WriteStartMap(2);
            writer.WriteUInt32(0);
            writer.WriteUInt32(Version);
            writer.WriteUInt32(1);
            writer.WriteStartArray(entries.Count);
            foreach (var (history, compromised) in entries)
            {
                writer.WriteStartArray(2);
                writer.WriteByteString(history.Encode());
                writer.WriteBoolean(compromised);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndMap();
            await AtomicFile.WriteAsync(path, writer.Encode(), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            saving.Release();
        }
    }
}
