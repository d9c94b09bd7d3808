using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Ockam.Silo.Telemetry;

/// <summary>Traces and metrics of the gateway (source and meter "Ockam.Silo"): operations and outcomes, never arguments.</summary>
internal static class SiloTelemetry
{
    public const string Name = "Ockam.Silo";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("ockam.gateway.requests", description: "Edge requests, by operation and status");

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>("ockam.gateway.request.duration", "s", "Time to answer an edge request");

    public static readonly Counter<long> Enrolments = Meter.CreateCounter<long>("ockam.authority.enrolments", description: "Enrolments, by outcome");
}
