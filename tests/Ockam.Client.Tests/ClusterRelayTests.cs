using System.Text;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Identity.Policies;
using Ockam.Silo.Configuration;

namespace Ockam.Client.Tests;

/// <summary>Relays across a cluster: the phone on one silo, the monitor on the other, one relay between them.</summary>
public sealed class ClusterRelayTests
{
    [Fact]
    public async Task Readings_sent_through_silo_1_reach_a_phone_connected_to_silo_2_and_its_replies_come_back()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        using var data = new TempDirectory();
        using var phoneHome = new TempDirectory();
        using var monitorHome = new TempDirectory();
        await using var first = await RunningSilo.StartAsync(data.Path, StorageKind.PostgreSql, database.ConnectionString, ClusteringKind.AdoNet);
        await using var second = await RunningSilo.StartAsync(data.Path, StorageKind.PostgreSql, database.ConnectionString, ClusteringKind.AdoNet);
        await using var phone = await second.EnrolledNodeAsync(phoneHome.Path, ("ockam.role", "phone"), ("ockam.relay", "phone"));
        await using var monitor = await first.EnrolledNodeAsync(monitorHome.Path, ("ockam.role", "monitor"));
        await phone.CreateRelayAsync("phone");
        await phone.AcceptAsync(Policy.Parse("(= subject.ockam.role \"monitor\")"));
        await phone.ListenAsync("phone");

        // The handshake itself crosses the cluster both ways: message 2 comes back through the monitor's reply relay.
        var channel = await monitor.ConnectAsync("phone", Policy.Parse("(= subject.ockam.role \"phone\")"));
        Assert.Equal(phone.Identifier, channel.Peer.Identifier);
        for (var i = 1; i <= 50; i++)
        {
            await monitor.SendAsync(channel, Encoding.UTF8.GetBytes($"n={i}"));
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var i = 1; i <= 50; i++)
        {
            Assert.Equal($"n={i}", Encoding.UTF8.GetString((await phone.ReceiveAsync(timeout.Token)).Payload.Span));
        }
    }
}
