using Ockam.Grains.Authority;
using Ockam.Grains.Contracts;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Silo.Configuration;
using Ockam.Silo.Tests.Support;
using Orleans.Runtime;

namespace Ockam.Silo.Tests;

/// <summary>Two silos, one cluster through PostgreSQL membership, one store.</summary>
public sealed class ClusterTests : IDisposable
{
    private readonly SoftwareVault vault = new();
    private readonly TempDirectory data = new();

    [Fact]
    public async Task State_written_through_one_silo_is_read_through_the_other_and_outlives_the_first()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var identities = new IdentityManager(vault, TimeProvider.System);
        var device = await identities.RotateAsync(await identities.CreateAsync());
        var member = await identities.CreateAsync();

        AuthorityResult issued;
        var first = await RunningSilo.StartAsync(data.Path, StorageKind.PostgreSql, database.ConnectionString, ClusteringKind.AdoNet);
        await using var second = await RunningSilo.StartAsync(data.Path, StorageKind.PostgreSql, database.ConnectionString, ClusteringKind.AdoNet);
        try
        {
            await Eventually.TrueAsync(async () => (await second.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count == 2, TimeSpan.FromSeconds(60));

            // Written through silo 1 ...
            Assert.Equal(PublicationOutcome.Accepted, (await first.Grains.GetGrain<IIdentityGrain>(device.Identifier.ToString()).PublishAsync(device.History.Encode())).Outcome);
            issued = await first.Grains.GetGrain<IAuthorityGrain>("default").IssueAsync(member.Identifier.ToString(), new Dictionary<string, byte[]> { ["ockam.role"] = "phone"u8.ToArray() });

            // ... read through silo 2.
            Assert.Equal(device.History.Encode(), await second.Grains.GetGrain<IIdentityGrain>(device.Identifier.ToString()).GetHistoryAsync());
        }
        finally
        {
            await first.DisposeAsync();
        }

        // Silo 1 is gone; its activations come back on silo 2 from the store, with nothing missing.
        await Eventually.TrueAsync(async () => (await second.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count == 1, TimeSpan.FromSeconds(60));
        Assert.Equal(device.History.Encode(), await second.Grains.GetGrain<IIdentityGrain>(device.Identifier.ToString()).GetHistoryAsync());
        var refreshed = await second.Grains.GetGrain<IAuthorityGrain>("default").GetCredentialAsync(member.Identifier.ToString());
        Assert.Equal(AuthorityOutcome.Issued, refreshed.Outcome);

        // Silo 2's issuer reserves a block of its own: a serial never given before, at most a block further on.
        Assert.InRange(refreshed.Serial, issued.Serial + 1, issued.Serial + AuthorityGrain.SerialBlockSize);
        Assert.True(await database.CountRowsAsync("OrleansMembershipTable") >= 2);
    }

    public void Dispose()
    {
        vault.Dispose();
        data.Dispose();
    }
}
