using System.Net;
using System.Net.Sockets;
using Ockam.Client.Edge;

namespace Ockam.Client.Tests;

/// <summary>The silos of a cluster, tried in turn: a node connects to the first that accepts, from the one it last reached.</summary>
public sealed class SiloAddressesTests
{
    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:4000,")]
    [InlineData("127.0.0.1:4000,nohost")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    public void Anything_but_host_port_entries_is_refused(string text) =>
        Assert.Throws<FormatException>(() => SiloAddresses.Parse(text));

    [Fact]
    public async Task A_silo_that_refuses_is_passed_over_for_the_next_and_the_one_reached_is_kept()
    {
        var closed = RunningSilo.FreePort();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var open = ((IPEndPoint)listener.LocalEndpoint).Port;
            var addresses = SiloAddresses.Parse($"127.0.0.1:{closed}, 127.0.0.1:{open}");
            Assert.Equal($"127.0.0.1:{open}", await addresses.ReachableAsync(TimeProvider.System, CancellationToken.None));
            Assert.Equal($"127.0.0.1:{open}", await addresses.ReachableAsync(TimeProvider.System, CancellationToken.None));
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task When_none_accepts_the_last_one_reached_is_named_for_the_channel_to_report()
    {
        var (first, second) = (RunningSilo.FreePort(), RunningSilo.FreePort());
        var addresses = SiloAddresses.Parse($"127.0.0.1:{first},127.0.0.1:{second}");
        Assert.Equal($"127.0.0.1:{first}", await addresses.ReachableAsync(TimeProvider.System, CancellationToken.None));
    }
}
