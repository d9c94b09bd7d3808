using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Ockam.Messaging.Telemetry;
using Ockam.Silo.Configuration;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ockam.Silo.Telemetry;

/// <summary>
/// OpenTelemetry for the silo, only when an exporter is asked for: Ockam's and Orleans' traces (console, OTLP) and
/// metrics (console, OTLP, a Prometheus scrape endpoint).
/// </summary>
internal static class TelemetrySetup
{
    private static readonly string[] Sources = [MessagingTelemetry.Name, SiloTelemetry.Name, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];
    private static readonly string[] Meters = [MessagingTelemetry.Name, SiloTelemetry.Name, "Microsoft.Orleans"];

    public static void AddOckamTelemetry(this IHostApplicationBuilder builder, OckamOptions options)
    {
        var exporters = options.Telemetry;
        if (exporters == TelemetryExporters.None)
        {
            return;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("ockam-silo", serviceInstanceId: $"{options.ClusterId}/{options.SiloPort}"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters);
                metrics.AddInstrumentation(services => new MailboxDepth(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), options, services.GetRequiredService<TimeProvider>()));
                if (exporters.HasFlag(TelemetryExporters.Console))
                {
                    metrics.AddConsoleExporter();
                }

                if (exporters.HasFlag(TelemetryExporters.Otlp))
                {
                    metrics.AddOtlpExporter(o => Endpoint(o, options));
                }

                if (exporters.HasFlag(TelemetryExporters.Prometheus))
                {
                    metrics.AddPrometheusHttpListener(o =>
                    {
                        o.Host = options.PrometheusHost;
                        o.Port = options.PrometheusPort;
                    });
                }
            });

        // Prometheus takes metrics only.
        if ((exporters & (TelemetryExporters.Console | TelemetryExporters.Otlp)) != 0)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(Sources);
                if (exporters.HasFlag(TelemetryExporters.Console))
                {
                    tracing.AddConsoleExporter();
                }

                if (exporters.HasFlag(TelemetryExporters.Otlp))
                {
                    tracing.AddOtlpExporter(o => Endpoint(o, options));
                }
            });
        }
    }

    private static void Endpoint(OpenTelemetry.Exporter.OtlpExporterOptions exporter, OckamOptions options)
    {
        if (options.OtlpEndpoint is { } endpoint)
        {
            exporter.Endpoint = new Uri(endpoint);
        }
    }
}
