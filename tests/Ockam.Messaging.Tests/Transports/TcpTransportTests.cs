using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ockam.Messaging.Routing;
using Ockam.Messaging.Tests.Support;
using Ockam.Messaging.Transports;

namespace Ockam.Messaging.Tests.Transports;

/// <summary>A TCP node survives hostile connections: each costs only itself, healthy peers carry on.</summary>
public sealed class TcpTransportTests : IAsyncLifetime
{
    private static readonly TransportOptions Quick = new()
    {
        KeepAliveInterval = TimeSpan.FromMilliseconds(100),
        // Generous against a loaded CI machine starving keep-alives; garbage must still go well before it.
        IdleTimeout = TimeSpan.FromSeconds(2),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    private readonly List<IAsyncDisposable> owned = [];
    private Node server = null!;
    private TcpTransport serverTcp = null!;
    private Inbox inbox = null!;
    private int port;

    public Task InitializeAsync()
    {
        (server, serverTcp) = Node(Quick);
        port = serverTcp.Listen(new IPEndPoint(IPAddress.Loopback, 0)).Port;
        inbox = Inbox.Start(server, "inbox", serverTcp.Flow);
        server.StartWorker(Address.Local("echo"), new Echo());
        server.AcceptFlow(Address.Local("echo"), serverTcp.Flow);
        server.StartWorker(Address.Local("private"), new Echo());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var item in Enumerable.Reverse(owned))
        {
            await item.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_message_goes_over_TCP_and_the_reply_comes_back_along_the_return_route()
    {
        var (client, _) = Node(Quick);
        var replies = Inbox.Start(client, "replies", (await client.ProducerFlowAsync(ServerAddress))!.Value);
        await client.SendAsync(new Message(Route.Of(ServerAddress, Address.Local("echo")), Route.Of(Address.Local("replies")), "hello"u8.ToArray()));
        Assert.Equal("hello", Encoding.UTF8.GetString((await replies.ReceiveAsync()).Payload.Span));
    }

    [Fact]
    public async Task A_worker_that_accepts_no_flow_is_unreachable_from_the_network_and_answers_reach_only_their_addressee()
    {
        var (client, _) = Node(Quick);
        var connection = (await client.ProducerFlowAsync(ServerAddress))!.Value;
        var replies = Inbox.Start(client, "replies", connection);
        var bystander = Inbox.Start(client, "bystander");

        // "private" runs on the server but accepts no flow: a peer's message to it is dropped, not echoed.
        await client.SendAsync(new Message(Route.Of(ServerAddress, Address.Local("private")), Route.Of(Address.Local("replies")), "to private"u8.ToArray()));

        // The server's echo answers along a return route the peer wrote: it reaches "replies" (which accepts
        // the connection's flow), never "bystander" on the client, which accepts none.
        await client.SendAsync(new Message(Route.Of(ServerAddress, Address.Local("echo")), Route.Of(Address.Local("bystander")), "to bystander"u8.ToArray()));
        await client.SendAsync(new Message(Route.Of(ServerAddress, Address.Local("echo")), Route.Of(Address.Local("replies")), "to replies"u8.ToArray()));
        Assert.Equal("to replies", Encoding.UTF8.GetString((await replies.ReceiveAsync()).Payload.Span));
        Assert.True(await bystander.StaysEmptyAsync(TimeSpan.FromMilliseconds(300)));
        Assert.True(await replies.StaysEmptyAsync(TimeSpan.FromMilliseconds(100)));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("oversized")]
    [InlineData("stall")]
    [InlineData("remote dial")]
    public async Task A_hostile_connection_is_dropped_and_a_healthy_one_is_unaffected(string attack)
    {
        var (client, _) = Node(Quick);
        await Send(client, "before");
        Assert.Equal("before", await NextText());

        var workersBefore = server.WorkerCount;
        using var raw = new TcpClient();
        await raw.ConnectAsync(IPAddress.Loopback, port);
        var stream = raw.GetStream();
        switch (attack)
        {
            case "garbage":
                // A valid length with bytes that are not a message.
                await stream.WriteAsync(Frame(Encoding.UTF8.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
                break;
            case "oversized":
                var header = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(header, 0x7fff_ffff);
                await stream.WriteAsync(header);
                break;
            case "stall":
                // Half a header, then nothing, ever.
                await stream.WriteAsync(new byte[] { 0, 0 });
                break;
            case "remote dial":
                // A well-formed message asking the server to dial out on the sender's behalf: refused, connection kept.
                var message = MessageCodec.Encode(new Message(Route.Of(Address.Tcp("127.0.0.1:9"), Address.Local("x")), Route.Empty, "x"u8.ToArray()));
                await stream.WriteAsync(Frame(message));
                // A window in which a dial, had one started, would have made a worker: none must.
                await Task.Delay(300);
                Assert.Equal(workersBefore + 1, server.WorkerCount); // the raw connection, and no dialled one
                break;
        }

        // Garbage and oversized frames are dropped at once; the staller (and the raw client, which sends no
        // keep-alives) when the idle timeout passes.
        var immediate = attack is "garbage" or "oversized";
        Assert.True(await ClosedByServer(stream, immediate ? Quick.IdleTimeout / 2 : TimeSpan.FromSeconds(10)));

        // The healthy client, idle through all this on keep-alives, still gets through. Time itself must pass here
        // (longer than the idle timeout, on real sockets): what is shown is that the keep-alives kept it open.
        await Task.Delay(Quick.IdleTimeout * 1.5);
        await Send(client, "after");
        Assert.Equal("after", await NextText());
        Assert.Equal(1, serverTcp.AcceptedCount);
    }

    [Fact]
    public async Task A_message_over_the_frame_limit_is_not_sent_and_the_connection_stays()
    {
        var (client, _) = Node(Quick with { MaxFrameSize = 1024 });
        await Send(client, new string('x', 2000));
        await Send(client, "small");
        Assert.Equal("small", await NextText());
    }

    [Fact]
    public async Task A_dialled_connection_redials_after_the_server_restarts()
    {
        var (client, _) = Node(Quick);
        await Send(client, "first");
        Assert.Equal("first", await NextText());

        await serverTcp.DisposeAsync();
        await server.DisposeAsync();
        // Time must pass: the server comes back only after the client has noticed the loss and begun to back off.
        await Task.Delay(300);

        var (restarted, restartedTcp) = Node(Quick);
        restartedTcp.Listen(new IPEndPoint(IPAddress.Loopback, port));
        var newInbox = Inbox.Start(restarted, "inbox", restartedTcp.Flow);
        await Send(client, "second");
        Assert.Equal("second", Encoding.UTF8.GetString((await newInbox.ReceiveAsync()).Payload.Span));
    }

    private Address ServerAddress => Address.Tcp($"127.0.0.1:{port}");

    private async Task Send(Node client, string text) =>
        await client.SendAsync(new Message(Route.Of(ServerAddress, Address.Local("inbox")), Route.Empty, Encoding.UTF8.GetBytes(text)));

    private async Task<string> NextText() => Encoding.UTF8.GetString((await inbox.ReceiveAsync()).Payload.Span);

    private static byte[] Frame(byte[] body)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    private static async Task<bool> ClosedByServer(NetworkStream stream, TimeSpan within)
    {
        using var cancel = new CancellationTokenSource(within);
        var buffer = new byte[1024];
        try
        {
            // Keep-alives may arrive first; the connection is closed when a read returns 0.
            while (await stream.ReadAsync(buffer, cancel.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private (Node Node, TcpTransport Tcp) Node(TransportOptions options)
    {
        var node = new Node();
        var tcp = new TcpTransport(node, options);
        owned.Add(node);
        owned.Add(tcp);
        return (node, tcp);
    }
}
