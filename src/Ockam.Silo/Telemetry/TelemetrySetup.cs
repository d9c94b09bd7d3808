using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Ockam.Messaging.Telemetry;
using Ockam.Silo.Configuration;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ockam.Silo.Telemetry;

/// <summary>OpenTelemetry for the silo: Ockam's and Orleans' traces and metrics, to the console or OTLP.</summary>
internal static class TelemetrySetup
{
    private static readonly string[] Sources = [MessagingTelemetry.Name, SiloTelemetry.Name, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];
    private static readonly string[] Meters = [MessagingTelemetry.Name, SiloTelemetry.Name, "Microsoft.Orleans"];

    public static void AddOckamTelemetry(this IHostApplicationBuilder builder, OckamOptions options)
    {
        if (options.Telemetry == TelemetryExporter.None)
        {
            return;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("ockam-silo", serviceInstanceId: $"{options.ClusterId}/{options.SiloPort}"))
            .WithTracing(tracing =>
            {
                tracing.AddSource(Sources);
                if (options.Telemetry == TelemetryExporter.Otlp)
                {
                    tracing.AddOtlpExporter(o => Endpoint(o, options));
                }
                else
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters);
                if (options.Telemetry == TelemetryExporter.Otlp)
                {
                    metrics.AddOtlpExporter(o => Endpoint(o, options));
                }
                else
                {
                    metrics.AddConsoleExporter();
                }
            });
    }

    private static void Endpoint(OpenTelemetry.Exporter.OtlpExporterOptions exporter, OckamOptions options)
    {
        if (options.OtlpEndpoint is { } endpoint)
        {
            exporter.Endpoint = new Uri(endpoint);
        }
    }
}
