using System.Formats.Cbor;
using Ockam.Identity.Encoding;
using Ockam.Identity.Files;

namespace Ockam.Identity.Mail;

/// <summary>
/// The sender's counter for sealed messages (<c>{0: 1, 1: last}</c> in its home, written atomically before a counter
/// is used), so that no two of its messages carry the same one — the recipient takes each counter once. A counter is
/// also never below the clock in microseconds: a node whose file was lost still moves past what it used before.
/// </summary>
public sealed class MailCounter : IDisposable
{
    private const uint Version = 1;
    private const int MaxFileSize = 32;
    private readonly string path;
    private readonly TimeProvider time;
    private readonly SemaphoreSlim gate = new(1, 1);
    private ulong last;

    private MailCounter(string path, TimeProvider time, ulong last)
    {
        this.path = path;
        this.time = time;
        this.last = last;
    }

    /// <exception cref="OckamDecodeException">The file is malformed.</exception>
    public static MailCounter Open(string path, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        var last = File.Exists(path)
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
        return new MailCounter(path, time, last);
    }

    /// <summary>The next counter, on disk before it is returned.</summary>
    public async Task<ulong> NextAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var micros = (ulong)Math.Max(0, (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond);
            var next = Math.Max(checked(last + 1), micros);
            var w = new CborWriter(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false);
            w.WriteStartMap(2);
            w.WriteUInt32(0);
            w.WriteUInt32(Version);
            w.WriteUInt32(1);
            w.WriteUInt64(next);
            w.WriteEndMap();
            await AtomicFile.WriteAsync(path, w.Encode(), cancellationToken).ConfigureAwait(false);
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
