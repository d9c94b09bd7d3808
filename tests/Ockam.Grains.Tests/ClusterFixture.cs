using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Ockam.Grains.Authority;
using Ockam.Grains.GroupLog;
using Ockam.Grains.Groups;
using Ockam.Grains.Mail;
using Ockam.Grains.Relays;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Silo.Configuration;
using Ockam.Silo.Storage;
using Orleans.TestingHost;

namespace Ockam.Grains.Tests;

/// <summary>
/// An in-process Orleans cluster (Orleans.TestingHost) with the grains, memory grain storage, relay mail and group logs in a real SQLite
/// file (the silo's store, in a temporary directory) and a test authority.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string AuthorityName = "test-authority";

    public const int RelayMailboxCapacity = 50;

    public const int RelayMailboxBytes = 64 * 1024;

    /// <summary>Small, so that a mailbox of a few dozen messages is pushed in several windows of several pages.</summary>
    public const int RelayDeliveryWindow = 16;

    public const int RelayPageCount = 5;

    /// <summary>On the silo's fake clock: a push waits this long for its acknowledgement only when a test moves the clock.</summary>
    public static readonly TimeSpan RelayRedeliveryTimeout = TimeSpan.FromSeconds(1);

    private const string MailDatabaseKey = "OckamTest:MailDatabase";

    private readonly DirectoryInfo data = Directory.CreateTempSubdirectory("ockam-grains-");

    /// <summary>Small pages, so that a tree of a few members already takes several chunks and a log several pages.</summary>
    public const int DeliveryPageBytes = 512;

    /// <summary>Small enough that a test's few dozen invitations outgrow it.</summary>
    public const int DeliveryKeptWelcomeBytes = 32 * 1024;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>The silo's clock; tests move it to expire tokens and lists.</summary>
    public FakeTimeProvider Time => (FakeTimeProvider)Cluster.Primary!.ServiceProvider()!.GetRequiredService<TimeProvider>();

    /// <summary>The silo's mail store, which counts each relay's appends.</summary>
    internal RecordingMailStore Mail => (RecordingMailStore)Cluster.Primary!.ServiceProvider()!.GetRequiredService<IMailStore>();

    public async Task InitializeAsync()
    {
        var options = new OckamOptions { DataDirectory = data.FullName };
        await SchemaInstaller.InstallAsync(options, CancellationToken.None);
        var builder = new TestClusterBuilder(1).AddSiloBuilderConfigurator<Configurator>();
        builder.Properties[MailDatabaseKey] = options.SqlitePath;
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        SqliteConnection.ClearAllPools();
        data.Delete(recursive: true);
    }

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorage(Storage.ProviderName);
            var mailDatabase = siloBuilder.Configuration[MailDatabaseKey]!;
            siloBuilder.ConfigureServices(services =>
            {
                var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
                var vault = new SoftwareVault();
                var identities = new IdentityManager(vault, time);
                var authority = identities.CreateAsync().GetAwaiter().GetResult();
                var signing = identities.CreatePurposeKeyAsync(authority, Purpose.CredentialSigning, TimeSpan.FromDays(30)).GetAwaiter().GetResult();
                services.AddSingleton<TimeProvider>(time);
                services.AddSingleton<IVault>(vault);
                services.AddSingleton(new AuthorityKeys(AuthorityName, new CredentialIssuer(vault, authority, signing, time)));
                services.AddOptions<AuthorityOptions>();
                services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new RelayOptions
                {
                    MailboxCapacity = RelayMailboxCapacity,
                    MailboxBytes = RelayMailboxBytes,
                    DeliveryWindow = RelayDeliveryWindow,
                    PageCount = RelayPageCount,
                    RedeliveryTimeout = RelayRedeliveryTimeout,
                }));
                services.AddSingleton<SqliteWriteGates>();
                services.AddSingleton<IMailStore>(s => new RecordingMailStore(new SqliteMailStore(mailDatabase, "test", s.GetRequiredService<SqliteWriteGates>())));
                services.AddSingleton<IGroupLogStore>(s => new SqliteGroupLogStore(mailDatabase, "test", s.GetRequiredService<SqliteWriteGates>()));
                services.AddSingleton<IAuthorityStore>(s => new SqliteAuthorityStore(mailDatabase, "test", s.GetRequiredService<SqliteWriteGates>()));
                services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new DeliveryServiceOptions { PageBytes = DeliveryPageBytes, KeptWelcomeBytes = DeliveryKeptWelcomeBytes }));
            });
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterDefinition : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
