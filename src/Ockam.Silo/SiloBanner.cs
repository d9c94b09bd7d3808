using System.Globalization;
using System.Net;
using System.Text;
using Ockam.Messaging.Api;
using Ockam.Silo.Configuration;
using Ockam.Silo.Identities;

namespace Ockam.Silo;

/// <summary>
/// What the silo prints once at start, on standard output rather than through the logs: who it is, where edge nodes
/// and operators reach it, where its data lives and how to stop it. Each line starts with its label at the first column
/// (scripts and tests read <c>silo identity:</c> and <c>admin enrolment ticket</c>).
/// </summary>
internal static class SiloBanner
{
    /// <summary>The banner; <paramref name="adminToken"/> is printed only when given (a first start, or <c>--print-admin-token true</c>): it is a secret.</summary>
    public static string Format(SiloIdentities identities, IPEndPoint edge, OckamOptions options, string? adminToken)
    {
        var data = Path.GetFullPath(options.DataDirectory);
        var banner = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"silo identity:      {identities.Silo.Identifier}")
            .AppendLine(CultureInfo.InvariantCulture, $"authority identity: {identities.Authority.Issuer.Identity.Identifier}")
            .AppendLine(CultureInfo.InvariantCulture, $"edge gateway:       tcp {edge}")
            .AppendLine(CultureInfo.InvariantCulture, $"data:               {data} (keys){(options.Storage == StorageKind.Sqlite ? $", {Path.GetFullPath(options.SqlitePath)}" : ", PostgreSQL")}");
        if (options.Telemetry.HasFlag(TelemetryExporters.Prometheus))
        {
            banner.AppendLine(CultureInfo.InvariantCulture, $"metrics:            http://{options.PrometheusHost}:{options.PrometheusPort}/metrics");
        }

        if (options.Dashboard is { } dashboard)
        {
            banner.AppendLine(CultureInfo.InvariantCulture, $"dashboard:          http://{options.DashboardAddress}:{dashboard}/");
        }

        banner.AppendLine("stop:               Ctrl+C (or SIGTERM)");
        if (adminToken is null)
        {
            banner.AppendLine("admin ticket:       none printed; --print-admin-token true prints a fresh one");
        }
        else
        {
            // The one way in for the first administrator; only its hash is stored.
            banner.AppendLine(CultureInfo.InvariantCulture, $"admin enrolment token (one use, 24 h): {adminToken}");
            banner.AppendLine(CultureInfo.InvariantCulture, $"admin enrolment ticket (the same, with this silo's address and identifier): {new EnrollmentTicket(edge.ToString(), identities.Silo.Identifier, adminToken)}");
        }

        return banner.ToString();
    }
}
