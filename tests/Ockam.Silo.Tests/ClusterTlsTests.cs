using Microsoft.Extensions.DependencyInjection;
using Ockam.Silo.Cluster;
using Ockam.Silo.Configuration;
using Ockam.Silo.Tests.Support;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Ockam.Silo.Tests;

/// <summary>
/// Silo-to-silo TLS pinned to the cluster certificate: silos holding it form a cluster and call each other; a peer
/// without it is refused at the silo port, whatever it presents.
/// </summary>
public sealed class ClusterTlsTests : IDisposable
{
    private readonly TempDirectory data = new();

    [Fact]
    public async Task Two_silos_with_the_cluster_certificate_call_each_other_over_TLS_which_is_on_by_default_with_AdoNet()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var first = await RunningSilo.StartAsync(data.Path, StorageKind.PostgreSql, database.ConnectionString, ClusteringKind.AdoNet);
        await using var second = await RunningSilo.StartAsync(data.Path, StorageKind.PostgreSql, database.ConnectionString, ClusteringKind.AdoNet);
        var secondAddress = second.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

        // A call from the first silo that only the second can answer: its own runtime statistics.
        await Eventually.TrueAsync(async () => (await first.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count == 2, TimeSpan.FromSeconds(60));
        var statistics = await first.Grains.GetGrain<IManagementGrain>(0).GetRuntimeStatistics([secondAddress]);
        Assert.Single(statistics);

        // Nothing said "TLS": it is the default for ADO.NET clustering, on the generated certificate both silos share.
        var certificate = first.Services.GetRequiredService<ClusterCertificate>();
        Assert.Equal(Path.Combine(data.Path, ClusterCertificate.FileName), certificate.Path);
        Assert.Equal(certificate.Fingerprint, second.Services.GetRequiredService<ClusterCertificate>().Fingerprint);
        Assert.False(await SiloPortProbe.TlsIsRefusedAsync(first.SiloPort, certificate.Certificate));
        Assert.True(await SiloPortProbe.TlsIsRefusedAsync(first.SiloPort, clientCertificate: null));
    }

    [Fact]
    public async Task A_peer_without_the_cluster_certificate_is_refused_at_the_silo_port()
    {
        await using var silo = await RunningSilo.StartAsync(data.Path, extraArgs: ["--cluster-tls", "true"]);
        var cluster = silo.Services.GetRequiredService<ClusterCertificate>();
        using var stranger = SiloPortProbe.StrangerCertificate();

        // The control: a peer holding the cluster certificate is accepted (the silo then waits for its preamble) ...
        Assert.False(await SiloPortProbe.TlsIsRefusedAsync(silo.SiloPort, cluster.Certificate));

        // ... one presenting another certificate is refused (it would be accepted without the pin) ...
        Assert.True(await SiloPortProbe.TlsIsRefusedAsync(silo.SiloPort, stranger));

        // ... one presenting none is refused (it would be accepted if client certificates were optional) ...
        Assert.True(await SiloPortProbe.TlsIsRefusedAsync(silo.SiloPort, clientCertificate: null));

        // ... and so is one speaking Orleans without TLS.
        Assert.True(await SiloPortProbe.PlainPreambleIsRefusedAsync(silo.SiloPort));
    }

    [Fact]
    public async Task A_third_silo_with_another_certificate_cannot_join_the_cluster()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var first = await RunningSilo.StartAsync(data.Path, StorageKind.PostgreSql, database.ConnectionString, ClusteringKind.AdoNet);

        // Same database, same keys, same cluster id: everything but the cluster certificate.
        using var strangerData = new TempDirectory();
        foreach (var file in new[] { "vault.cbor", "identities.cbor" })
        {
            File.Copy(Path.Combine(data.Path, file), Path.Combine(strangerData.Path, file));
        }

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            // Orleans retries a failed join for 5 minutes by default; a shorter window is enough to see it fail.
            await using var stranger = await RunningSilo.StartAsync(
                strangerData.Path, StorageKind.PostgreSql, database.ConnectionString, ClusteringKind.AdoNet,
                s => s.Configure<ClusterMembershipOptions>(o => o.MaxJoinAttemptTime = TimeSpan.FromSeconds(20)));
        });
        Assert.Single(await first.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true));
    }

    public void Dispose() => data.Dispose();
}
