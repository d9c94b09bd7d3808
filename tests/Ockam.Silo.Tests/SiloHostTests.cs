using Microsoft.Extensions.Hosting;

namespace Ockam.Silo.Tests;

public sealed class SiloHostTests
{
    [Fact]
    public async Task The_embedded_silo_starts_and_stops_cleanly()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var host = SiloHost.Build([]);
        await host.StartAsync(timeout.Token);
        await host.StopAsync(timeout.Token);
    }
}
