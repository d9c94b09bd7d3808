using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Identity.Policies;
using Ockam.Messaging.Portals;

namespace Ockam.Client.Tests;

/// <summary>
/// Real applications through portals: a client's node (inlet) → the silo's live relay hop → a service's node (outlet).
/// The silo carries ciphertext only and stores nothing of it.
/// </summary>
public sealed class PortalTests : IAsyncLifetime
{
    private static readonly Policy Clients = Policy.Parse("""(= subject.ockam.role "client")""");
    private static readonly Policy Servers = Policy.Parse("""(= subject.ockam.role "server")""");

    /// <summary>Every envelope the silo's relay hop handled: what the silo sees of the traffic, once its own channel is off.</summary>
    private readonly RelayedEnvelopeFilter relayed = new();
    private Fleet fleet = null!;
    private EdgeNode server = null!;
    private EdgeNode client = null!;

    public async Task InitializeAsync()
    {
        fleet = await Fleet.StartAsync(relayed.AddTo);
        server = await fleet.MemberAsync("server", [("ockam.role", "server"), ("ockam.relay", "*")], relay: false);
        client = await fleet.MemberAsync("client", [("ockam.role", "client")], relay: false);
    }

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    [Fact]
    public async Task PostgreSQL_answers_a_query_through_the_portal_and_the_silo_sees_and_keeps_none_of_it()
    {
        var database = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("OCKAM_TEST_POSTGRES")
            ?? throw new InvalidOperationException("OCKAM_TEST_POSTGRES is not set: run the tests with ./test.sh, which starts PostgreSQL"));
        var outlet = await server.CreateOutletAsync("db", $"{database.Host}:{database.Port}", Clients);
        await using var inlet = await client.CreateInletAsync(new IPEndPoint(IPAddress.Loopback, 0), "db", Servers);
        var sequenceBefore = (await fleet.Silo.Grains.GetGrain<IRelayGrain>("db").GetStatusAsync()).NextSequence;

        var throughPortal = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Host = inlet.Endpoint.Address.ToString(),
            Port = inlet.Endpoint.Port,
            Pooling = false,
            SslMode = SslMode.Disable,
        };
        string answer;
        await using (var connection = new NpgsqlConnection(throughPortal.ConnectionString))
        {
            await connection.OpenAsync();
            await using var query = new NpgsqlCommand("SELECT upper('portal-answer-marker') || ' ' || version()", connection);
            answer = (string)(await query.ExecuteScalarAsync())!;
        }

        Assert.StartsWith("PORTAL-ANSWER-MARKER PostgreSQL", answer, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => outlet.StreamCount == 0 && inlet.StreamCount == 0);

        // The silo relayed the whole exchange (both ways, through its relay hop) and saw ciphertext only.
        Assert.True(relayed.Envelopes.Count > 4);
        AssertNowhere(relayed.Envelopes, "portal-answer-marker", "PORTAL-ANSWER-MARKER", "PostgreSQL");

        // Live: nothing entered the relay's mailbox (no sequence was taken), and nothing of it is in the silo's files.
        var status = await fleet.Silo.Grains.GetGrain<IRelayGrain>("db").GetStatusAsync();
        Assert.Equal((0, sequenceBefore), (status.Queued, status.NextSequence));
        AssertNowhere(Directory.EnumerateFiles(fleet.DataDirectory, "*", SearchOption.AllDirectories).Select(ReadShared), "portal-answer-marker", "PORTAL-ANSWER-MARKER", "PostgreSQL");
    }

    [Fact]
    public async Task An_HTTP_download_arrives_byte_for_byte_and_a_half_closed_client_still_gets_its_answer()
    {
        var file = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        var port = RunningSilo.FreePort();
        using var http = new HttpListener();
        http.Prefixes.Add($"http://127.0.0.1:{port}/");
        http.Start();
        var serving = Task.Run(async () =>
        {
            var context = await http.GetContextAsync();
            context.Response.ContentLength64 = file.Length;
            await context.Response.OutputStream.WriteAsync(file);
            context.Response.Close();
        });
        await server.CreateOutletAsync("web", $"127.0.0.1:{port}", Clients);
        await using var web = await client.CreateInletAsync(new IPEndPoint(IPAddress.Loopback, 0), "web", Servers);

        using var browser = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{web.Endpoint}/file");
        request.Headers.Host = $"127.0.0.1:{port}"; // the service's own name, as behind any proxy
        using var response = await browser.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Assert.Equal(file, await response.Content.ReadAsByteArrayAsync());
        await serving;

        // A service that answers only once its client has shut down its send side.
        using var counting = new TcpListener(IPAddress.Loopback, 0);
        counting.Start();
        var counter = Task.Run(async () =>
        {
            using var connection = await counting.AcceptTcpClientAsync();
            var stream = connection.GetStream();
            using var all = new MemoryStream();
            await stream.CopyToAsync(all);
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"read {all.Length} bytes"));
        });
        await server.CreateOutletAsync("count", $"127.0.0.1:{((IPEndPoint)counting.LocalEndpoint).Port}", Clients);
        await using var count = await client.CreateInletAsync(new IPEndPoint(IPAddress.Loopback, 0), "count", Servers);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(count.Endpoint);
        var socket = tcp.GetStream();
        await socket.WriteAsync(new byte[300_000]);
        tcp.Client.Shutdown(SocketShutdown.Send);
        using var answer = new MemoryStream();
        await socket.CopyToAsync(answer).WaitAsync(TimeSpan.FromSeconds(60));
        await counter;
        Assert.Equal("read 300000 bytes", Encoding.UTF8.GetString(answer.ToArray()));
    }

    [Fact]
    public async Task A_node_the_outlets_policy_does_not_grant_is_refused_and_the_service_never_sees_it()
    {
        using var service = new TcpListener(IPAddress.Loopback, 0);
        service.Start();
        var outlet = await server.CreateOutletAsync("private", $"127.0.0.1:{((IPEndPoint)service.LocalEndpoint).Port}", Clients);
        var guest = await fleet.MemberAsync("guest", [("ockam.role", "guest")], relay: false);
        await using var inlet = await guest.CreateInletAsync(new IPEndPoint(IPAddress.Loopback, 0), "private", Servers);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(inlet.Endpoint);
        await tcp.GetStream().WriteAsync("let me in"u8.ToArray());
        var buffer = new byte[16];
        var read = await ReadOrResetAsync(tcp.GetStream(), buffer).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, read);
        Assert.Equal(1, inlet.Refused);
        Assert.Equal(0, outlet.StreamCount);
        Assert.False(service.Pending());
    }

    [Fact]
    public async Task After_the_outlets_node_reconnects_to_the_silo_new_connections_get_through_again()
    {
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var connection = await echo.AcceptTcpClientAsync(stop.Token);
                try
                {
                    var stream = connection.GetStream();
                    var one = new byte[1];
                    await stream.ReadExactlyAsync(one, stop.Token);
                    await stream.WriteAsync(one, stop.Token);
                }
                catch (IOException)
                {
                    // A stream that was reset on the way (the old channel's): the next connection is served.
                }
            }
        });
        await server.CreateOutletAsync("echo", $"127.0.0.1:{((IPEndPoint)echo.LocalEndpoint).Port}", Clients);
        await using var inlet = await client.CreateInletAsync(new IPEndPoint(IPAddress.Loopback, 0), "echo", Servers, new PortalOptions { OpenTimeout = TimeSpan.FromSeconds(3) });
        Assert.True(await RoundTripAsync(inlet.Endpoint));

        // The outlet's node drops its connection to the silo and makes a new one: the channel's path went with the old.
        await server.GoOfflineAsync();
        await server.ReconnectAsync();

        // A connection that finds the old channel gets no answer and is reset, and the inlet lets that channel go.
        await Eventually.TrueAsync(() => RoundTripAsync(inlet.Endpoint), TimeSpan.FromSeconds(45));
        await stop.CancelAsync();
        echo.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => serving);
    }

    /// <summary>Connects, sends a byte, and reads it back within a few seconds; false if the connection fails.</summary>
    private static async Task<bool> RoundTripAsync(IPEndPoint endpoint)
    {
        try
        {
            using var tcp = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(8));
            await tcp.ConnectAsync(endpoint, timeout.Token);
            var stream = tcp.GetStream();
            await stream.WriteAsync(new byte[] { 7 }, timeout.Token);
            var back = new byte[1];
            await stream.ReadExactlyAsync(back, timeout.Token);
            return back[0] == 7;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<int> ReadOrResetAsync(NetworkStream stream, byte[] buffer)
    {
        try
        {
            return await stream.ReadAsync(buffer);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static byte[] ReadShared(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        file.CopyTo(copy);
        return copy.ToArray();
    }

    private static void AssertNowhere(IEnumerable<byte[]> blobs, params string[] texts)
    {
        foreach (var blob in blobs)
        {
            foreach (var text in texts)
            {
                Assert.True(blob.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) < 0, $"'{text}' in the clear");
            }
        }
    }
}
