namespace Ockam.Silo.Configuration;

/// <summary>
/// Everything an operator sets, from the <c>Ockam</c> section of appsettings.json, environment variables
/// (<c>Ockam__Storage=PostgreSql</c>) or the command line (<c>--storage PostgreSql</c>).
/// </summary>
public sealed class OckamOptions
{
    public const string Section = "Ockam";

    /// <summary>Keys (owner-only vault), identities, and the SQLite database when it is the store.</summary>
    public string DataDirectory { get; set; } = "data";

    public StorageKind Storage { get; set; } = StorageKind.Sqlite;

    /// <summary>PostgreSQL connection string (storage and, with <see cref="ClusteringKind.AdoNet"/>, membership).</summary>
    public string? ConnectionString { get; set; }

    public ClusteringKind Clustering { get; set; } = ClusteringKind.Localhost;

    /// <summary>Names the stored data: every silo of a deployment must use the same one, always.</summary>
    public string ServiceId { get; set; } = "ockam";

    public string ClusterId { get; set; } = "ockam";

    /// <summary>
    /// How long a silo waits for another's answer to a probe (ADO.NET clustering); three missed probes declare a silo
    /// dead, after which its grains activate elsewhere. A killed process refuses probes at once and is declared dead in
    /// seconds whatever this is; it bounds how long a silo whose machine is gone, or that hangs, stays in the cluster.
    /// Too short mistakes a busy one (a long GC, a saturated machine) for dead. Orleans' default, 5 s.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Orleans silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>
    /// Orleans client gateway port; 0 (the default) keeps it closed. The silo has no Orleans clients (edge nodes
    /// use the edge gateway), and an open gateway port takes grain calls from whoever reaches it.
    /// </summary>
    public int GatewayPort { get; set; }

    /// <summary>
    /// Mutual TLS pinned to the cluster certificate on the silo-to-silo (and open gateway) port. Unset means on with
    /// <see cref="ClusteringKind.AdoNet"/> clustering or an open <see cref="GatewayPort"/>, off otherwise; false is
    /// for closed networks only.
    /// </summary>
    public bool? ClusterTls { get; set; }

    /// <summary>A PKCS#12 file with the cluster certificate and its key; unset means <c>cluster.pfx</c> in the data directory, generated on first start.</summary>
    public string? ClusterCertificate { get; set; }

    /// <summary>The PKCS#12 file's password, if it has one (best set by environment: <c>Ockam__ClusterCertificatePassword</c>).</summary>
    public string? ClusterCertificatePassword { get; set; }

    /// <summary>The address other silos reach this one at (ADO.NET clustering).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Where edge nodes connect (TCP).</summary>
    public string EdgeAddress { get; set; } = "127.0.0.1";

    public int EdgePort { get; set; } = 4000;

    /// <summary>The authority this silo speaks for (its keys are in the data directory).</summary>
    public string AuthorityName { get; set; } = "default";

    /// <summary>Secure-channel trust for the <c>member</c> listener: whose credentials it accepts.</summary>
    public string MemberPolicy { get; set; } = "(exists? subject.ockam.role)";

    /// <summary>Print a fresh one-time admin enrolment token at start (one is always printed on first start).</summary>
    public bool PrintAdminToken { get; set; }

    /// <summary>
    /// Where traces and metrics go: none by default (a console of trace dumps is unreadable); several at once as a
    /// comma-separated list (<c>--telemetry otlp,prometheus</c>).
    /// </summary>
    public TelemetryExporters Telemetry { get; set; }

    /// <summary>OTLP endpoint when <see cref="Telemetry"/> includes <see cref="TelemetryExporters.Otlp"/>.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>The Prometheus scrape endpoint's port (<c>/metrics</c>) when <see cref="Telemetry"/> includes <see cref="TelemetryExporters.Prometheus"/>.</summary>
    public int PrometheusPort { get; set; } = 9464;

    /// <summary>
    /// The host name or address the scrape endpoint listens on: <c>localhost</c> (this machine only) unless set; one of
    /// the machine's addresses to be scraped from elsewhere (the exporter's listener takes no wildcard). It serves the
    /// metrics without authentication.
    /// </summary>
    public string PrometheusHost { get; set; } = "localhost";

    /// <summary>The Orleans Dashboard's port; unset (the default) means no dashboard.</summary>
    public int? Dashboard { get; set; }

    /// <summary>The address the dashboard listens on: loopback unless set, as it has no authentication.</summary>
    public string DashboardAddress { get; set; } = "127.0.0.1";

    internal string SqlitePath => Path.Combine(DataDirectory, "ockam.db");

    /// <summary>Whether cluster TLS is on, after the defaults: anything reachable from another machine gets it.</summary>
    internal bool ClusterTlsEnabled => ClusterTls ?? (Clustering == ClusteringKind.AdoNet || GatewayPort != 0);

    internal void Validate()
    {
        if (Storage == StorageKind.PostgreSql && string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new InvalidOperationException("PostgreSQL storage needs Ockam:ConnectionString (--connection-string)");
        }

        if (Clustering == ClusteringKind.AdoNet && Storage != StorageKind.PostgreSql)
        {
            throw new InvalidOperationException("ADO.NET clustering runs on PostgreSQL: set Ockam:Storage=PostgreSql too");
        }

        if (ProbeTimeout < TimeSpan.FromMilliseconds(500) || ProbeTimeout > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException("Ockam:ProbeTimeout must be between 0.5 s and 1 minute (e.g. 00:00:02)");
        }

        if (GatewayPort is < 0 or > 65535 || SiloPort is <= 0 or > 65535)
        {
            throw new InvalidOperationException("Ockam:SiloPort must be a port (1-65535) and Ockam:GatewayPort a port or 0 (closed)");
        }

        if (PrometheusPort is <= 0 or > 65535 || Dashboard is <= 0 or > 65535)
        {
            throw new InvalidOperationException("Ockam:PrometheusPort and Ockam:Dashboard must be ports (1-65535)");
        }
    }
}

public enum StorageKind
{
    Sqlite,
    PostgreSql,
}

public enum ClusteringKind
{
    /// <summary>One silo on this machine.</summary>
    Localhost,

    /// <summary>Membership in PostgreSQL: several silos on several machines form one cluster.</summary>
    AdoNet,
}

/// <summary>Telemetry exporters; any combination (the configuration's <c>"Otlp, Prometheus"</c>).</summary>
[Flags]
public enum TelemetryExporters
{
    None = 0,

    /// <summary>Traces and metrics dumped to standard output: for a look, not for running.</summary>
    Console = 1,

    /// <summary>Traces and metrics pushed to an OpenTelemetry collector (<see cref="OckamOptions.OtlpEndpoint"/>).</summary>
    Otlp = 2,

    /// <summary>Metrics scraped over HTTP (<see cref="OckamOptions.PrometheusPort"/>, <c>/metrics</c>).</summary>
    Prometheus = 4,
}
