using System.Formats.Cbor;
using Ockam.Identity.Encoding;
using Ockam.Identity.Files;

namespace Ockam.Identity.Mail;

/// <summary>
/// The sender's counter for sealed messages, so that no two of its messages carry the same one — the recipient takes
/// each counter once. Its home holds a reservation (<c>{0: 1, 1: reserved}</c>, written atomically before any counter
/// up to it is used), so a second of counters costs one write rather than one each, and a new process starts past
/// everything the old one may have used. A counter is also never below the clock in microseconds, and ahead of it by a
/// reservation at most (more only for a node restarting more than once a second): a node whose file was lost moves past
/// what it used before once its clock has passed the last reservation.
/// </summary>
public sealed class MailCounter : IDisposable
{
    private const uint Version = 1;
    private const int MaxFileSize = 32;

    /// <summary>Counters reserved by one write: a second's worth of the clock that paces them.</summary>
    private const ulong Reservation = 1_000_000;
    private readonly string path;
    private readonly TimeProvider time;
    private readonly SemaphoreSlim gate = new(1, 1);
    private ulong last;
    private ulong reserved;

    private MailCounter(string path, TimeProvider time, ulong reserved)
    {
        this.path = path;
        this.time = time;

        // Anything up to the reservation may have been used by the process that made it.
        last = reserved;
        this.reserved = reserved;
    }

    /// <exception cref="OckamDecodeException">The file is malformed.</exception>
    public static MailCounter Open(string path, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        var reserved = File.Exists(path)
            ? CborDecoder.Decode(File.ReadAllBytes(path), MaxFileSize, "sealed-mail counter", d =>
            {
                if (d.ReadMapStart(2) != 2)
                {
                    throw d.Error("the counter file has exactly two fields");
                }

                d.ReadVersion(Version);
                d.ExpectKey(1);
                var value = d.ReadUInt64();
                d.ReadMapEnd();
                return value;
            })
            : 0;
        return new MailCounter(path, time, reserved);
    }

    /// <summary>The next counter, within a reservation on disk before it is returned.</summary>
    public async Task<ulong> NextAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var micros = (ulong)Math.Max(0, (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond);
            var next = Math.Max(checked(last + 1), micros);
            if (next > reserved)
            {
                var reserving = checked(next + Reservation);
                var w = new CborWriter(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false);
                w.WriteStartMap(2);
                w.WriteUInt32(0);
                w.WriteUInt32(Version);
                w.WriteUInt32(1);
                w.WriteUInt64(reserving);
                w.WriteEndMap();
                await AtomicFile.WriteAsync(path, w.Encode(), cancellationToken).ConfigureAwait(false);
                reserved = reserving;
            }

            last = next;
            return next;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}
