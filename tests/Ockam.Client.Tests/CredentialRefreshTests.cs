using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Ockam.Client.Edge;
using Ockam.Grains.Authority;
using Ockam.Grains.Contracts;

namespace Ockam.Client.Tests;

public sealed class CredentialRefreshTests
{
    [Fact]
    public async Task An_edge_node_refreshes_its_credential_before_it_expires()
    {
        using var data = new TempDirectory();
        using var home = new TempDirectory();
        await using var silo = await RunningSilo.StartAsync(data.Path, services: s =>
            s.AddSingleton(Options.Create(new AuthorityOptions { CredentialLifetime = TimeSpan.FromSeconds(8) })));
        var token = await silo.Grains.GetGrain<IAuthorityGrain>("default")
            .CreateOperatorTokenAsync(new Dictionary<string, byte[]> { ["ockam.role"] = "sensor"u8.ToArray() }, TimeSpan.FromHours(1), uses: 1);
        await using var node = await EdgeNode.OpenAsync(new EdgeNodeOptions
        {
            Home = home.Path,
            Silo = silo.EdgeEndpoint.ToString(),
            SiloIdentifier = silo.Identities.Silo.Identifier,
            RefreshAt = 0.5,
        });
        var first = (await node.EnrollAsync(token)).Credential.Data;

        await Eventually.TrueAsync(() => node.Credential!.Credential.Data.Serial != first.Serial);

        var refreshed = node.Credential!.Credential.Data;
        Assert.True(refreshed.ExpiresAt > first.ExpiresAt);
        Assert.True(DateTimeOffset.UtcNow < first.ExpiresAt, "the refresh came only after the old credential had expired");
        Assert.Equal(first.Attributes["ockam.role"], refreshed.Attributes["ockam.role"]);
    }
}
