using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;

namespace Ockam.Client.Tests;

/// <summary>A node's calls to a silo that stops answering: paused (SIGSTOP), then killed or woken.</summary>
public sealed class SilentSiloCallTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(2);
    private static readonly GroupId Ward = GroupId.Room("ward");
    private readonly TempDirectory data = new();
    private readonly TempDirectory homes = new();

    /// <summary>
    /// A call waiting for its answer when the silo's process is killed fails as soon as the TCP connection under its
    /// channel breaks, with <see cref="ApiStatus.Unavailable"/>, instead of waiting out the node's call timeout: before, a
    /// publisher whose publish was in flight at a silo's kill stayed silent for that timeout (15 s), beyond the failover goal.
    /// </summary>
    [Fact]
    public async Task A_call_in_flight_when_the_silo_is_killed_fails_unavailable_when_the_connection_breaks_not_at_its_timeout()
    {
        using var timeout = new CancellationTokenSource(Within);

        // A call timeout far beyond the test's bound: only the broken connection can end the call in time.
        var (silo, operator_, node) = await StartAsync(TimeSpan.FromHours(1), timeout.Token, ("ockam.role", "device"), ("ockam.relay", "node"));
        await using var _ = silo;
        await using var __ = node;
        await operator_.StopAsync(timeout.Token);
        operator_.Dispose();
        await node.CreateRelayAsync("node", timeout.Token);

        // Paused, the silo reads the request but never answers it; killed, its connections break.
        await silo.PauseAsync();
        var call = node.GetRelayAsync("node", timeout.Token);

        // Real time, for the request to leave the node: the kill must find it waiting for its answer.
        await Task.Delay(TimeSpan.FromMilliseconds(500), timeout.Token);
        Assert.False(call.IsCompleted);
        await silo.KillAsync();

        var failed = await Assert.ThrowsAsync<EdgeException>(() => call);
        Assert.Equal(ApiStatus.Unavailable, failed.Status);
    }

    /// <summary>
    /// A call that times out against a silo that is slow, not gone, is not sent again unless doing it twice changes
    /// nothing: the silo may carry out the first one late, and a room message sent twice would be logged (and read) twice.
    /// </summary>
    [Fact]
    public async Task A_room_message_whose_call_timed_out_is_not_sent_again_and_is_logged_once_when_the_silo_wakes()
    {
        using var timeout = new CancellationTokenSource(Within);
        var callTimeout = TimeSpan.FromSeconds(2);
        var (silo, operator_, node) = await StartAsync(callTimeout, timeout.Token, ("ockam.role", "nurse"));
        await using var _ = silo;
        using var __ = operator_;
        await using var ___ = node;
        var grains = operator_.Services.GetRequiredService<IGrainFactory>();
        var rooms = await node.RoomsAsync(timeout.Token);
        await rooms.CreateAsync("ward", relay: null, timeout.Token);

        // Paused, the silo holds the request unread; the call times out, and the node reopens its channel, which waits
        // for the silo too. Woken after the timeout, the silo reads the first request, late.
        await silo.PauseAsync();
        var sending = rooms.SendAsync(Ward, "one reading"u8.ToArray(), timeout.Token);

        // Real time: the node's call timeout is the thing under test.
        await Task.Delay(callTimeout + TimeSpan.FromSeconds(1), timeout.Token);
        await silo.ResumeAsync();

        var failed = await Record.ExceptionAsync(() => sending);

        // The woken silo logs the first request as it gets to it, which may be after the node gave up on it.
        async Task<int> LoggedAsync() => (await grains.GetDeliveryService(Ward).ReadAsync(node.Identifier.ToString(), 0)).Entries.Count(e => e.Kind == LogEntryKind.Message);
        await Eventually.TrueAsync(async () => await LoggedAsync() > 0, cancellationToken: timeout.Token);
        Assert.Equal(1, await LoggedAsync());
        Assert.Equal(ApiStatus.Unavailable, Assert.IsType<EdgeException>(failed).Status);

        // The reopened channel serves the next call.
        await rooms.SendAsync(Ward, "the next reading"u8.ToArray(), timeout.Token);
        Assert.Equal(2, await LoggedAsync());
    }

    public void Dispose()
    {
        data.Dispose();
        homes.Dispose();
    }

    /// <summary>A lone SQLite silo of its own, an operator connected to it, and a node enrolled with <paramref name="attributes"/>.</summary>
    private async Task<(SiloProcess Silo, IHost Operator, EdgeNode Node)> StartAsync(TimeSpan callTimeout, CancellationToken cancellationToken, params (string Name, string Value)[] attributes)
    {
        var (edge, gateway) = (RunningSilo.FreePort(), RunningSilo.FreePort());
        var silo = await SiloProcess.StartAsync(
            data.Path,
            Within,
            "--storage", "Sqlite", "--edge-port", edge.ToString(CultureInfo.InvariantCulture), "--gateway-port", gateway.ToString(CultureInfo.InvariantCulture),
            "--cluster-tls", "false", "--print-admin-token", "true");
        var operator_ = await SiloOperator.ConnectAsync(gateway, cancellationToken);
        var options = new EdgeNodeOptions
        {
            Home = Path.Combine(homes.Path, "node"),
            Silo = silo.AdminTicket.Silo,
            SiloIdentifier = silo.AdminTicket.SiloIdentifier,
            CallTimeout = callTimeout,
        };
        var node = await SiloOperator.EnrolledNodeAsync(operator_.Services.GetRequiredService<IGrainFactory>(), silo, options, attributes);
        return (silo, operator_, node);
    }
}
