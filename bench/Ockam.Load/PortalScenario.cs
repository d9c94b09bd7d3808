using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ockam.Identity.Policies;

namespace Ockam.Load;

/// <summary>
/// A TCP portal (inlet → the silo's live relay hop → outlet) beside direct loopback TCP to the same service, in the same
/// run: bulk throughput one way, and connection set-up (connect, one byte there and back).
/// </summary>
internal sealed class PortalScenario(LoadSettings settings, Results results) : Scenario(settings, results)
{
    public const string Throughput = "portal: bulk throughput, one connection";
    public const string FirstSetUp = "portal: first connection set-up (with the channel's handshake)";
    public const string SetUp = "portal: connection set-up p50";

    public override string Name => "portal";

    public override TimeSpan QuickBudget => TimeSpan.FromSeconds(90);

    private long Bytes => Settings.Quick ? 32L * 1024 * 1024 : 256L * 1024 * 1024;

    private int Connections => Settings.Quick ? 20 : 200;

    public override async Task RunAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        var (silo, fleet) = await SiloAsync(20_000, cancellationToken).ConfigureAwait(false);
        await using var _ = silo;
        await using var __ = fleet;
        using var sink = new TcpListener(IPAddress.Loopback, 0);
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        sink.Start();
        echo.Start();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var serving = Task.WhenAll(ServeAsync(sink, SinkAsync, stop.Token), ServeAsync(echo, EchoAsync, stop.Token));

        var server = await fleet.EnrolledAsync("outlet", relay: true, cancellationToken, ("ockam.role", "server")).ConfigureAwait(false);
        var client = await fleet.EnrolledAsync("inlet", relay: false, cancellationToken, ("ockam.role", "client")).ConfigureAwait(false);
        var relay = fleet.Tagged("outlet");
        var clients = Policy.Parse("(= subject.ockam.role \"client\")");
        var servers = Policy.Parse("(= subject.ockam.role \"server\")");
        await server.CreateOutletAsync(relay, $"127.0.0.1:{Port(sink)}", clients, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var bulk = await client.CreateInletAsync(new IPEndPoint(IPAddress.Loopback, 0), relay, servers, cancellationToken: cancellationToken).ConfigureAwait(false);

        // A second outlet (its own relay) for set-up: the first connection through it pays for its channel's handshake.
        var echoNode = await fleet.EnrolledAsync("echo", relay: true, cancellationToken, ("ockam.role", "server")).ConfigureAwait(false);
        await echoNode.CreateOutletAsync(fleet.Tagged("echo"), $"127.0.0.1:{Port(echo)}", clients, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var quick = await client.CreateInletAsync(new IPEndPoint(IPAddress.Loopback, 0), fleet.Tagged("echo"), servers, cancellationToken: cancellationToken).ConfigureAwait(false);

        using var bound = Within(Settings.Bound(TimeSpan.FromSeconds(60)), cancellationToken);
        try
        {
            var first = await RoundTripAsync(quick.Endpoint, bound.Token).ConfigureAwait(false);
            Results.Ours(FirstSetUp, new Figure(first, "ms"));
            var direct = new List<double>();
            var portal = new List<double>();
            for (var i = 0; i < Connections; i++)
            {
                direct.Add(await RoundTripAsync((IPEndPoint)echo.LocalEndpoint, bound.Token).ConfigureAwait(false));
                portal.Add(await RoundTripAsync(quick.Endpoint, bound.Token).ConfigureAwait(false));
                progress(0.3 * i / Connections);
            }

            Results.Ours(SetUp, new Figure(Percentiles.Of(portal, 0.5), "ms", $"{Connections} connections, one at a time: connect, 1 byte there and back"));
            Results.Reference(SetUp, new Figure(Percentiles.Of(direct, 0.5), "ms", "the reference is direct loopback TCP, not Mosquitto"));

            // Once through to warm both paths, then measured: direct first, then the portal.
            await SendAsync((IPEndPoint)sink.LocalEndpoint, Bytes / 8, bound.Token).ConfigureAwait(false);
            await SendAsync(bulk.Endpoint, Bytes / 8, bound.Token).ConfigureAwait(false);
            progress(0.5);
            var directTime = await SendAsync((IPEndPoint)sink.LocalEndpoint, Bytes, bound.Token).ConfigureAwait(false);
            var cpu = silo.CpuTime;
            var portalTime = await SendAsync(bulk.Endpoint, Bytes, bound.Token).ConfigureAwait(false);
            var cpuNote = silo.CpuTime - cpu is { } used ? $"; silo CPU {used.TotalMilliseconds / (Bytes / 1048576.0):F2} ms per MiB" : "";
            Results.Ours(Throughput, new Figure(Bytes / 1048576.0 / portalTime.TotalSeconds, "MiB/s", $"{Bytes / 1048576} MiB, 256 KiB window{cpuNote}"));
            Results.Reference(Throughput, new Figure(Bytes / 1048576.0 / directTime.TotalSeconds, "MiB/s", "the reference is direct loopback TCP, not Mosquitto"));
            Results.Note("The portal rows' reference is direct loopback TCP to the same service in the same run, not Mosquitto.");
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Results.Ours(Throughput, Figure.DidNotComplete("MiB/s", $"not within {Seconds(Settings.Bound(TimeSpan.FromSeconds(60)))}"));
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            sink.Stop();
            echo.Stop();
            await serving.ConfigureAwait(false);
        }
    }

    /// <summary>Writes <paramref name="bytes"/>, shuts the send side, and waits for the sink's count: the time it took.</summary>
    private static async Task<TimeSpan> SendAsync(IPEndPoint to, long bytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        Random.Shared.NextBytes(buffer);
        using var tcp = new TcpClient { NoDelay = true };
        var clock = Stopwatch.StartNew();
        await tcp.ConnectAsync(to, cancellationToken).ConfigureAwait(false);
        var stream = tcp.GetStream();
        for (long sent = 0; sent < bytes; sent += buffer.Length)
        {
            await stream.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, bytes - sent)), cancellationToken).ConfigureAwait(false);
        }

        tcp.Client.Shutdown(SocketShutdown.Send);
        var count = new byte[8];
        await stream.ReadExactlyAsync(count, cancellationToken).ConfigureAwait(false);
        clock.Stop();
        if (BitConverter.ToInt64(count) != bytes)
        {
            throw new InvalidOperationException($"the sink read {BitConverter.ToInt64(count)} bytes of {bytes}");
        }

        return clock.Elapsed;
    }

    /// <summary>Connects, sends a byte, reads it back: milliseconds.</summary>
    private static async Task<double> RoundTripAsync(IPEndPoint to, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(to, cancellationToken).ConfigureAwait(false);
        var stream = tcp.GetStream();
        await stream.WriteAsync(new byte[] { 42 }, cancellationToken).ConfigureAwait(false);
        var back = new byte[1];
        await stream.ReadExactlyAsync(back, cancellationToken).ConfigureAwait(false);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task ServeAsync(TcpListener listener, Func<TcpClient, CancellationToken, Task> serve, CancellationToken cancellationToken)
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var connection = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
                connection.NoDelay = true;
                connections.Add(Task.Run(async () =>
                {
                    using (connection)
                    {
                        await serve(connection, cancellationToken).ConfigureAwait(false);
                    }
                }, CancellationToken.None));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        try
        {
            await Task.WhenAll(connections).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
        }
    }

    /// <summary>Reads to the end and answers how many bytes it read.</summary>
    private static async Task SinkAsync(TcpClient connection, CancellationToken cancellationToken)
    {
        var stream = connection.GetStream();
        var buffer = new byte[256 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        await stream.WriteAsync(BitConverter.GetBytes(total), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends back each byte it reads.</summary>
    private static async Task EchoAsync(TcpClient connection, CancellationToken cancellationToken)
    {
        var stream = connection.GetStream();
        var buffer = new byte[1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;
}
