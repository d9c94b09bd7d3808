using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ockam.Silo.Configuration;

namespace Ockam.Silo.Cluster;

/// <summary>
/// Says at start which cluster certificate the silo pins (so operators can compare fingerprints between silos),
/// and warns when a clustered silo runs without TLS.
/// </summary>
internal sealed partial class ClusterTlsReport(IOptions<OckamOptions> options, IServiceProvider services, ILogger<ClusterTlsReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (services.GetService<ClusterCertificate>() is { } certificate)
        {
            LogPinned(logger, certificate.Path, certificate.Fingerprint, settings.GatewayPort == 0 ? "closed" : $"open on {settings.GatewayPort}");
            if (certificate.Created)
            {
                LogGenerated(logger, certificate.Path);
            }
        }
        else if (settings.Clustering == ClusteringKind.AdoNet || settings.GatewayPort != 0)
        {
            LogOff(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster TLS on: silos must present {Path} (SHA-256 {Fingerprint}); Orleans gateway port {Gateway}")]
    private static partial void LogPinned(ILogger logger, string path, string fingerprint, string gateway);

    [LoggerMessage(Level = LogLevel.Warning, Message = "generated the cluster certificate {Path}: copy this file (owner-only) to every other silo of the cluster")]
    private static partial void LogGenerated(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster TLS is off (Ockam:ClusterTls=false): anyone who reaches the silo port can call any grain; only for closed networks")]
    private static partial void LogOff(ILogger logger);
}
