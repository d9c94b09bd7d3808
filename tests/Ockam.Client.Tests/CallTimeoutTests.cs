using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;

namespace Ockam.Client.Tests;

/// <summary>
/// A call that times out against a silo that is slow, not gone, is not sent again unless doing it twice changes
/// nothing: the silo may carry out the first one late, and a room message sent twice would be logged (and read) twice.
/// </summary>
public sealed class CallTimeoutTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);
    private static readonly GroupId Ward = GroupId.Room("ward");
    private readonly TempDirectory data = new();
    private readonly TempDirectory homes = new();

    [Fact]
    public async Task A_room_message_whose_call_timed_out_is_not_sent_again_and_is_logged_once_when_the_silo_wakes()
    {
        using var timeout = new CancellationTokenSource(Within);
        var (edge, gateway) = (RunningSilo.FreePort(), RunningSilo.FreePort());
        await using var silo = await SiloProcess.StartAsync(
            data.Path,
            Within,
            "--storage", "Sqlite", "--edge-port", edge.ToString(CultureInfo.InvariantCulture), "--gateway-port", gateway.ToString(CultureInfo.InvariantCulture),
            "--cluster-tls", "false", "--print-admin-token", "true");
        var options = new EdgeNodeOptions
        {
            Home = Path.Combine(homes.Path, "node"),
            Silo = silo.AdminTicket.Silo,
            SiloIdentifier = silo.AdminTicket.SiloIdentifier,
            CallTimeout = CallTimeout,
        };
        using var operator_ = await SiloOperator.ConnectAsync(gateway, timeout.Token);
        var grains = operator_.Services.GetRequiredService<IGrainFactory>();
        await using var node = await SiloOperator.EnrolledNodeAsync(grains, silo, options, ("ockam.role", "nurse"));
        var rooms = await node.RoomsAsync(timeout.Token);
        await rooms.CreateAsync("ward", relay: null, timeout.Token);

        // Paused, the silo holds the request unread; the call times out, and the node reopens its channel, which waits
        // for the silo too. Woken after the timeout, the silo reads the first request, late.
        await silo.PauseAsync();
        var sending = rooms.SendAsync(Ward, "one reading"u8.ToArray(), timeout.Token);

        // Real time: the node's call timeout is the thing under test.
        await Task.Delay(CallTimeout + TimeSpan.FromSeconds(1), timeout.Token);
        await silo.ResumeAsync();

        var failed = await Record.ExceptionAsync(() => sending);
        var log = await grains.GetDeliveryService(Ward).ReadAsync(node.Identifier.ToString(), 0);
        Assert.Single(log.Entries, e => e.Kind == LogEntryKind.Message);
        Assert.Equal(ApiStatus.Unavailable, Assert.IsType<EdgeException>(failed).Status);

        // The reopened channel serves the next call.
        await rooms.SendAsync(Ward, "the next reading"u8.ToArray(), timeout.Token);
        log = await grains.GetDeliveryService(Ward).ReadAsync(node.Identifier.ToString(), 0);
        Assert.Equal(2, log.Entries.Count(e => e.Kind == LogEntryKind.Message));
    }

    public void Dispose()
    {
        data.Dispose();
        homes.Dispose();
    }
}
