using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ockam.Grains;
using Ockam.Grains.Authority;
using Ockam.Grains.GroupLog;
using Ockam.Grains.Mail;
using Ockam.Grains.Relays;
using Ockam.Identity.Vault;
using Ockam.Messaging.Transports;
using Ockam.Silo.Cluster;
using Ockam.Silo.Configuration;
using Ockam.Silo.Gateway;
using Ockam.Silo.Identities;
using Ockam.Silo.Storage;
using Ockam.Silo.Telemetry;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Ockam.Silo;

/// <summary>
/// Builds the Ockam silo: Orleans with ADO.NET grain storage (SQLite by default, PostgreSQL by option)
/// and localhost or ADO.NET clustering, the silo's and authority's identities, the edge gateway and telemetry.
/// </summary>
internal static class SiloHost
{
    /// <summary>Short command-line switches for the common options.</summary>
    private static readonly Dictionary<string, string> Switches = new()
    {
        ["--data"] = "Ockam:DataDirectory",
        ["--storage"] = "Ockam:Storage",
        ["--connection-string"] = "Ockam:ConnectionString",
        ["--clustering"] = "Ockam:Clustering",
        ["--silo-port"] = "Ockam:SiloPort",
        ["--gateway-port"] = "Ockam:GatewayPort",
        ["--edge-address"] = "Ockam:EdgeAddress",
        ["--advertised-address"] = "Ockam:AdvertisedAddress",
        ["--edge-port"] = "Ockam:EdgePort",
        ["--service-id"] = "Ockam:ServiceId",
        ["--cluster-id"] = "Ockam:ClusterId",
        ["--probe-timeout"] = "Ockam:ProbeTimeout",
        ["--telemetry"] = "Ockam:Telemetry",
        ["--otlp-endpoint"] = "Ockam:OtlpEndpoint",
        ["--prometheus-port"] = "Ockam:PrometheusPort",
        ["--prometheus-host"] = "Ockam:PrometheusHost",
        ["--dashboard"] = "Ockam:Dashboard",
        ["--dashboard-address"] = "Ockam:DashboardAddress",
        ["--print-admin-token"] = "Ockam:PrintAdminToken",
        ["--cluster-tls"] = "Ockam:ClusterTls",
        ["--cluster-certificate"] = "Ockam:ClusterCertificate",
    };

    public static async Task<IHost> BuildAsync(string[] args, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        // The options decide the kind of host (a web host only for the dashboard), so they are read before it is made.
        var configuration = new ConfigurationManager();
        AddSources(configuration, args);
        var options = configuration.GetSection(OckamOptions.Section).Get<OckamOptions>() ?? new OckamOptions();
        options.Validate();
        IHostApplicationBuilder builder = options.Dashboard is null
            ? Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory })
            : WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        AddSources(builder.Configuration, args);

        // One line per event (the default spreads each over two), and the levels of appsettings.json's Logging section.
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        });

        await SchemaInstaller.InstallAsync(options, cancellationToken).ConfigureAwait(false);
        var time = TimeProvider.System;
        var identities = await SiloIdentities.LoadAsync(options.DataDirectory, options.AuthorityName, time, cancellationToken).ConfigureAwait(false);
        var clusterCertificate = options.ClusterTlsEnabled
            ? await ClusterCertificate.LoadOrCreateAsync(options.DataDirectory, options.ClusterCertificate, options.ClusterCertificatePassword, time, cancellationToken).ConfigureAwait(false)
            : null;

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(time);

        // Orleans' watchdog reads the membership clock; counted from the silo's start, its first reading is no false
        // stall of the machine's uptime (MembershipClock says why).
        builder.Services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Membership, (services, _) => new MembershipClock(services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(_ => identities); // by factory, so that the container disposes it (and its vault)
        builder.Services.AddSingleton<IVault>(identities.Home.Vault);
        if (clusterCertificate is not null)
        {
            builder.Services.AddSingleton(_ => clusterCertificate); // by factory, so that the container disposes it
        }

        builder.Services.AddSingleton(identities.Authority);
        builder.Services.AddOptions<AuthorityOptions>().BindConfiguration("Ockam:Authority");
        builder.Services.AddOptions<RelayOptions>().BindConfiguration("Ockam:Relay");
        builder.Services.AddSingleton<SqliteWriteGates>();
        builder.Services.AddSingleton<IMailStore>(services => options.Storage == StorageKind.Sqlite
            ? new SqliteMailStore(options.SqlitePath, options.ServiceId, services.GetRequiredService<SqliteWriteGates>())
            : new PostgresMailStore(options.ConnectionString!, options.ServiceId));
        builder.Services.AddSingleton<IGroupLogStore>(services => options.Storage == StorageKind.Sqlite
            ? new SqliteGroupLogStore(options.SqlitePath, options.ServiceId, services.GetRequiredService<SqliteWriteGates>())
            : new PostgresGroupLogStore(options.ConnectionString!, options.ServiceId));
        builder.Services.AddSingleton<IAuthorityStore>(services => options.Storage == StorageKind.Sqlite
            ? new SqliteAuthorityStore(options.SqlitePath, options.ServiceId, services.GetRequiredService<SqliteWriteGates>())
            : new PostgresAuthorityStore(options.ConnectionString!, options.ServiceId));
        builder.Services.AddOptions<EdgeGatewayOptions>().Configure(g =>
        {
            // Limits and timings (RequestsPerSecond, RequestBurst, StoredRelayedPerSecond, MaxChannelsPerConnection, HandshakeTimeout, RevocationRefresh).
            builder.Configuration.GetSection("Ockam:Gateway").Bind(g);
            builder.Configuration.GetSection("Ockam:Policies").Bind(g.Policies);
            g.Transport = builder.Configuration.GetSection("Ockam:Transport").Get<TransportOptions>() ?? g.Transport;
        });
        builder.Services.AddOptions<AdoNetGrainStorageOptions>(Grains.Storage.ProviderName)
            .Configure<Serializer>((storage, serializer) => storage.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
        builder.UseOrleans(silo =>
        {
            ConfigureOrleans(silo, options, clusterCertificate);
            if (options.Dashboard is not null)
            {
                silo.AddDashboard();
            }
        });
        builder.Services.AddHostedService<ClusterTlsReport>();
        builder.Services.AddSingleton<EdgeGateway>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EdgeGateway>());
        builder.AddOckamTelemetry(options);
        configureServices?.Invoke(builder.Services);
        return builder is WebApplicationBuilder web ? BuildDashboard(web, options) : ((HostApplicationBuilder)builder).Build();
    }

    private static void AddSources(IConfigurationBuilder configuration, string[] args) => configuration
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .AddCommandLine(args, Switches);

    /// <summary>
    /// The silo with the Orleans Dashboard on its own port: what it shows (grain types, silos, call rates, the
    /// reminders) any local user may read, so it listens on loopback unless told otherwise (docs/console.md).
    /// </summary>
    private static WebApplication BuildDashboard(WebApplicationBuilder builder, OckamOptions options)
    {
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Parse(options.DashboardAddress), options.Dashboard!.Value));
        var app = builder.Build();
        app.MapOrleansDashboard();
        return app;
    }

    private static void ConfigureOrleans(ISiloBuilder silo, OckamOptions options, ClusterCertificate? clusterCertificate)
    {
        // Orleans binds no gateway listener when the gateway port is 0: Ockam:GatewayPort's default.
        if (options.Clustering == ClusteringKind.Localhost)
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        }
        else
        {
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = options.ConnectionString;
            });
            silo.ConfigureEndpoints(IPAddress.Parse(options.AdvertisedAddress), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = options.ServiceId;
                o.ClusterId = options.ClusterId;
            });

            // Only once a silo is declared dead do its grains (relays among them) come back elsewhere (docs/cluster.md,
            // "When a silo dies"): the probe timeout bounds that for a silo that hangs or whose machine is gone.
            silo.Configure<ClusterMembershipOptions>(o => o.ProbeTimeout = options.ProbeTimeout);
        }

        silo.AddAdoNetGrainStorage(Grains.Storage.ProviderName, o =>
        {
            // Orleans maps the "System.Data.SQLite" invariant to Microsoft.Data.Sqlite.
            o.Invariant = options.Storage == StorageKind.Sqlite ? "System.Data.SQLite" : "Npgsql";
            o.ConnectionString = options.Storage == StorageKind.Sqlite ? SchemaInstaller.SqliteConnectionString(options.SqlitePath) : options.ConnectionString;
        });
        if (options.Storage == StorageKind.Sqlite)
        {
            // Grain states in rows of our own, many grains' writes in one commit (SqliteGrainStorage says why); Orleans'
            // provider stays to read what earlier silos wrote.
            silo.Services.AddKeyedSingleton<IGrainStorage>(Grains.Storage.ProviderName, (services, _) => new SqliteGrainStorage(
                options.SqlitePath,
                services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
                AdoNetGrainStorageFactory.Create(services, Grains.Storage.ProviderName),
                services.GetRequiredService<IActivatorProvider>(),
                services.GetRequiredService<SqliteWriteGates>().For(options.SqlitePath)));
        }

        silo.AddActivityPropagation();
        if (clusterCertificate is not null)
        {
            silo.UseClusterTls(clusterCertificate);
        }
    }
}
