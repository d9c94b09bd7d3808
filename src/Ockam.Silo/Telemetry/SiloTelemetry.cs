using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ockam.Grains.Contracts;

namespace Ockam.Silo.Telemetry;

/// <summary>
/// Traces and metrics of the silo (source and meter "Ockam.Silo"): operations, outcomes, counts and sizes, never
/// arguments (no identifier, relay or room name, token, key or payload is a tag: they would reach whoever reads the
/// metrics, and each would be a series of its own).
/// </summary>
internal static class SiloTelemetry
{
    public const string Name = "Ockam.Silo";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("ockam.gateway.requests", description: "Edge requests, by operation and status");

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>("ockam.gateway.request.duration", "s", "Time to answer an edge request");

    public static readonly Counter<long> Enrolments = Meter.CreateCounter<long>("ockam.authority.enrolments", description: "Enrolments, by outcome");

    public static readonly Counter<long> Revocations = Meter.CreateCounter<long>("ockam.authority.revocations", description: "Revocations announced (a serial, or a member and all it holds)");

    public static readonly Counter<long> RelayedMessages = Meter.CreateCounter<long>("ockam.relay.messages", description: "Messages handed to relays by the relay hop, by outcome");

    public static readonly Counter<long> RelayedBytes = Meter.CreateCounter<long>("ockam.relay.bytes", "By", "Envelope bytes relays accepted");

    public static readonly Counter<long> GroupDeliveries = Meter.CreateCounter<long>("ockam.group.deliveries", description: "Live deliveries of rooms' and topics' entries that Delivery Services handed this gateway, by path (connection: pushed to the member's connection here; relay: passed to the relay's grain, its owner listening elsewhere or nowhere)");

    public static readonly Counter<long> GroupCommits = Meter.CreateCounter<long>("ockam.group.commits", description: "MLS commits to rooms and topics, by outcome (Conflict: another commit won the epoch)");

    public static readonly Histogram<int> StorageCommitWrites = Meter.CreateHistogram<int>(
        "ockam.storage.commit.writes",
        description: "Writes per database transaction of a group commit, by kind (its count is the transactions)",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    /// <summary>Counts what relays made of a batch the hop handed over (<paramref name="outcomes"/> in the batch's order).</summary>
    public static void Relayed(IReadOnlyList<RelayedEnvelope> batch, IReadOnlyList<RelayOutcome> outcomes)
    {
        for (var i = 0; i < outcomes.Count; i++)
        {
            RelayedMessages.Add(1, new KeyValuePair<string, object?>("ockam.outcome", outcomes[i].ToString()));
            if (outcomes[i] == RelayOutcome.Ok)
            {
                RelayedBytes.Add(batch[i].Envelope.Length);
            }
        }
    }
}
