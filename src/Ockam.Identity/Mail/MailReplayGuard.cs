using System.Formats.Cbor;
using Ockam.Identity.Encoding;
using Ockam.Identity.Files;
using Ockam.Identity.Identities;

namespace Ockam.Identity.Mail;

/// <summary>
/// Which sealed messages this node has taken, per sender: the highest counter and which of the
/// <see cref="Window"/> below it were seen (RFC 6479's sliding window, one word wide). Kept in the node's home
/// (<c>{0: 1, 1: [[sender, highest, seen_bits], ...]}</c>, written atomically) before a message is handed on, so that
/// no process of the node — this one or one started after a kill — takes the same message twice.
/// </summary>
/// <remarks>
/// A relay delivers in order and at least once, so a duplicate is the normal case this drops, not only an attack.
/// At most <see cref="MaxSenders"/> senders: a new sender beyond that is refused rather than remembered in memory
/// only, since a sender forgotten at restart could be replayed.
/// </remarks>
public sealed class MailReplayGuard : IDisposable
{
    /// <summary>Counters below the highest that may still arrive late (a sender's messages reordered on the way).</summary>
    public const int Window = 64;

    public const int MaxSenders = 10_000;

    private const uint Version = 1;

    /// <summary>An entry is under 60 bytes; anything larger than this is not a file this node wrote.</summary>
    private const int MaxFileSize = 64 + (MaxSenders * 64);

    private readonly string path;
    private readonly Dictionary<Identifier, (ulong Highest, ulong Seen)> senders;
    private readonly SemaphoreSlim gate = new(1, 1);

    private MailReplayGuard(string path, Dictionary<Identifier, (ulong Highest, ulong Seen)> senders)
    {
        this.path = path;
        this.senders = senders;
    }

    /// <summary>Opens the store at <paramref name="path"/> (empty if there is none yet).</summary>
    /// <exception cref="OckamDecodeException">The file is malformed: better to stop than to forget what was taken.</exception>
    public static MailReplayGuard Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var senders = new Dictionary<Identifier, (ulong, ulong)>();
        if (File.Exists(path))
        {
            CborDecoder.Decode(File.ReadAllBytes(path), MaxFileSize, "sealed-mail replay store", d =>
            {
                if (d.ReadMapStart(2) != 2)
                {
                    throw d.Error("the replay store has exactly two fields");
                }

                d.ReadVersion(Version);
                d.ExpectKey(1);
                var count = d.ReadArrayStart(MaxSenders);
                for (var i = 0; i < count; i++)
                {
                    if (d.ReadArrayStart(3) != 3)
                    {
                        throw d.Error("a sender entry is [sender, highest, seen_bits]");
                    }

                    var sender = Identifier.Read(d);
                    var highest = d.ReadUInt64();
                    var seen = d.ReadUInt64();
                    d.ReadArrayEnd();
                    if (!senders.TryAdd(sender, (highest, seen)))
                    {
                        throw d.Error($"sender {sender} appears twice");
                    }
                }

                d.ReadArrayEnd();
                d.ReadMapEnd();
                return senders;
            });
        }

        return new MailReplayGuard(path, senders);
    }

    /// <summary>
    /// Takes <paramref name="counter"/> of <paramref name="sender"/> if it is new, and has it on disk before returning;
    /// the caller hands the message on only after this.
    /// </summary>
    /// <exception cref="SealedMailException">Seen already, too old for the window, or one sender too many.</exception>
    public async Task AcceptAsync(Identifier sender, ulong counter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentOutOfRangeException.ThrowIfZero(counter);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            (ulong Highest, ulong Seen) next;
            if (!senders.TryGetValue(sender, out var current))
            {
                if (senders.Count >= MaxSenders)
                {
                    throw new SealedMailException(SealedMailError.TooManySenders, $"already {MaxSenders} senders remembered; {sender} is refused");
                }

                next = (counter, 1);
            }
            else if (counter > current.Highest)
            {
                // Bit i stands for counter highest - i: moving the top up shifts the older ones down.
                var advance = counter - current.Highest;
                next = (counter, (advance >= Window ? 0 : current.Seen << (int)advance) | 1);
            }
            else
            {
                var age = current.Highest - counter;
                if (age >= Window)
                {
                    throw new SealedMailException(SealedMailError.Replayed, $"counter {counter} of {sender} is older than the replay window");
                }

                if ((current.Seen & (1UL << (int)age)) != 0)
                {
                    throw new SealedMailException(SealedMailError.Replayed, $"counter {counter} of {sender} was taken already");
                }

                next = (current.Highest, current.Seen | (1UL << (int)age));
            }

            senders[sender] = next;
            try
            {
                await SaveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Not on disk, not taken: the message may come again and be taken then.
                if (current == default)
                {
                    senders.Remove(sender);
                }
                else
                {
                    senders[sender] = current;
                }

                throw;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    private Task SaveAsync(CancellationToken cancellationToken)
    {
        var w = new CborWriter(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false);
        w.WriteStartMap(2);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteStartArray(senders.Count);
        foreach (var (sender, (highest, seen)) in senders)
        {
            w.WriteStartArray(3);
            w.WriteByteString(sender.ToBytes());
            w.WriteUInt64(highest);
            w.WriteUInt64(seen);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndMap();
        return AtomicFile.WriteAsync(path, w.Encode(), cancellationToken);
    }
}
