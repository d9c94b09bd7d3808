using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Ockam.Client.Tests.Support;

/// <summary>
/// What one receiver got of numbered readings (payloads <c>stream=number</c>, e.g. <c>n=17</c>), each with its arrival
/// time on the test's clock: the reading loop of the failover and restart tests, so that each asserts order, gaps and
/// resumption the same way. The receive function reads the next payload (and acknowledges it, where the receiver must).
/// </summary>
internal sealed class NumberedReadings(string receiver, Func<CancellationToken, Task<ReadOnlyMemory<byte>>> receive, Stopwatch clock, ITestOutputHelper output)
{
    private readonly List<Reading> readings = [];

    public string Receiver => receiver;

    public IReadOnlyList<Reading> All => readings;

    /// <summary>The numbers read of <paramref name="stream"/>, in arrival order.</summary>
    public List<int> Numbers(string stream = "n") => [.. readings.Where(r => r.Stream == stream).Select(r => r.Number)];

    /// <summary>How many readings of <paramref name="stream"/> numbered above <paramref name="number"/> arrived.</summary>
    public int CountAfter(int number, string stream = "n") => readings.Count(r => r.Stream == stream && r.Number > number);

    /// <summary>
    /// Reads until <paramref name="done"/> holds. Cancelled, it says where this receiver stood (and what <paramref name="status"/>
    /// says of the senders) before it throws, so that a run that never resumes shows how far it got.
    /// </summary>
    public async Task ReadUntilAsync(Func<bool> done, Func<string> status, CancellationToken cancellationToken)
    {
        while (!done())
        {
            ReadOnlyMemory<byte> payload;
            try
            {
                payload = await receive(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                var last = readings.Count > 0 ? readings[^1] : null;
                output.WriteLine(FormattableString.Invariant(
                    $"{clock.Elapsed.TotalSeconds:F1} s: {receiver} gave up with {readings.Count} readings, last {last?.Stream}={last?.Number} at {last?.At.TotalSeconds ?? 0:F1} s; {status()}"));
                throw;
            }

            var text = Encoding.UTF8.GetString(payload.Span);
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            readings.Add(new Reading(text[..equals], int.Parse(text[(equals + 1)..], CultureInfo.InvariantCulture), clock.Elapsed));
        }
    }

    /// <summary>When the first reading of <paramref name="stream"/> numbered above <paramref name="number"/> (the last sent before a fault) arrived.</summary>
    public TimeSpan FirstAfter(int number, string stream = "n") => readings.First(r => r.Stream == stream && r.Number > number).At;

    /// <summary>Each reading of <paramref name="stream"/> once and in the order sent: every number above the one before it.</summary>
    public void AssertInOrderOnce(string stream = "n")
    {
        var numbers = Numbers(stream);
        Assert.True(numbers.Zip(numbers.Skip(1)).All(p => p.First < p.Second), $"{receiver}: {stream} out of order or twice: {string.Join(",", numbers)}");
    }

    /// <summary>Every number of <paramref name="acknowledged"/> (those the service acknowledged to their sender) arrived.</summary>
    public void AssertArrived(IEnumerable<int> acknowledged, string stream = "n")
    {
        var missing = acknowledged.Except(Numbers(stream)).Order().ToList();
        Assert.True(missing.Count == 0, $"{receiver}: acknowledged {stream} readings never arrived: {string.Join(",", missing)}");
    }

    /// <summary>One reading: its stream, its number and when it arrived.</summary>
    internal sealed record Reading(string Stream, int Number, TimeSpan At);
}
