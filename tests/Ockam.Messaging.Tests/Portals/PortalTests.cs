using System.Formats.Cbor;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Ockam.Messaging.Portals;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Tests.Support;
using Ockam.Messaging.Transports;

namespace Ockam.Messaging.Tests.Portals;

/// <summary>
/// Portals between two nodes on the memory network (the silo's relay is the client tests' business): streams whole and
/// in order, back-pressure, half-close, and an outlet that a peer can never turn towards another address.
/// </summary>
public sealed class PortalTests : IAsyncLifetime
{
    /// <summary>Small, so that a few hundred kilobytes already need many credits.</summary>
    private static readonly PortalOptions Small = new() { Window = 16 * 1024, MaxChunk = 4 * 1024, OpenTimeout = TimeSpan.FromSeconds(10) };

    private readonly Fleet fleet = new();
    private readonly TcpListener target = new(IPAddress.Loopback, 0);
    private readonly TcpListener elsewhere = new(IPAddress.Loopback, 0);
    private Member alice = null!;
    private Member bob = null!;
    private Node a = null!;
    private Node b = null!;
    private TcpTransport bTcp = null!;
    private SecureChannelListener listener = null!;
    private PortalOutlet outlet = null!;

    public async Task InitializeAsync()
    {
        alice = await fleet.MemberAsync();
        bob = await fleet.MemberAsync();
        a = fleet.Node("a");
        b = fleet.Node("b");

        // The outlet's node can dial TCP: what it must never do is dial where a peer says.
        bTcp = new TcpTransport(b);
        target.Start();
        elsewhere.Start();
        listener = fleet.Listen(b, PortalOutlet.ListenerAddress("svc").ValueText, fleet.Options(bob, TrustPolicy.Identifiers(alice.Identifier)));
        outlet = PortalOutlet.Start(b, listener, "svc", $"127.0.0.1:{Port(target)}", Small);
    }

    public async Task DisposeAsync()
    {
        target.Stop();
        elsewhere.Stop();
        await bTcp.DisposeAsync();
        await fleet.DisposeAsync();
    }

    [Fact]
    public async Task A_megabyte_crosses_both_ways_whole_and_a_half_closed_client_still_gets_the_answer()
    {
        await using var inlet = Inlet();
        var sent = RandomNumberGenerator.GetBytes(1024 * 1024);

        // The service reads to the end, then answers with a digest of what it read and a copy of it, and closes.
        var service = Task.Run(async () =>
        {
            using var server = await target.AcceptTcpClientAsync();
            var stream = server.GetStream();
            var got = await ReadToEndAsync(stream);
            await stream.WriteAsync(SHA256.HashData(got));
            await stream.WriteAsync(got);
        });

        using var client = new TcpClient();
        await client.ConnectAsync(inlet.Endpoint);
        var stream = client.GetStream();
        await stream.WriteAsync(sent);
        client.Client.Shutdown(SocketShutdown.Send);
        var answer = await ReadToEndAsync(stream).WaitAsync(TimeSpan.FromSeconds(60));
        await service;

        Assert.Equal(SHA256.HashData(sent), answer[..32]);
        Assert.Equal(sent, answer[32..]);
        await Eventually.TrueAsync(() => outlet.StreamCount == 0 && inlet.StreamCount == 0);
    }

    [Fact]
    public async Task A_service_that_does_not_read_stops_the_client_after_a_window_and_everything_arrives_once_it_does()
    {
        await using var inlet = Inlet();
        var sent = RandomNumberGenerator.GetBytes(64 * 1024 * 1024);
        using var client = new TcpClient();
        await client.ConnectAsync(inlet.Endpoint);
        using var server = await target.AcceptTcpClientAsync();

        // 64 MiB is far more than the loopback sockets' buffers and the 16 KiB window: without credit the inlet would
        // read it all into memory and the write would finish.
        var writing = client.GetStream().WriteAsync(sent).AsTask();
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(writing.IsCompleted);

        var reading = ReadAsync(server.GetStream(), sent.Length);
        await writing.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(sent, await reading.WaitAsync(TimeSpan.FromSeconds(120)));
    }

    [Fact]
    public async Task The_outlet_never_dials_an_address_a_peer_names()
    {
        var channel = await SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), PortalOutlet.ListenerAddress("svc")), fleet.Options(alice, TrustPolicy.Identifiers(bob.Identifier)));
        var answers = Inbox.Start(a, "answers", channel.Flow);
        var other = Address.Tcp($"127.0.0.1:{Port(elsewhere)}");
        var open = new PortalOpen(16 * 1024).Encode();

        // An open that names a target of its own (a field the format does not have) is malformed.
        await a.SendAsync(Message.To(Route.Of(channel.Address, outlet.Address), Route.Of(Address.Local("answers")), OpenNaming(other.ValueText)));

        // A route through the channel to the other address, straight or after the outlet.
        await a.SendAsync(Message.To(Route.Of(channel.Address, other, Address.Local("x")), Route.Of(Address.Local("answers")), open));
        await a.SendAsync(Message.To(Route.Of(channel.Address, outlet.Address, other), Route.Of(Address.Local("answers")), open));

        // An open whose answers should go to the other address: its stream would be joined to it.
        await a.SendAsync(Message.To(Route.Of(channel.Address, outlet.Address), Route.Of(other, Address.Local("answers")), open));

        // Only the one plain open (the route's tail after the outlet is ignored) reached the target, and nothing else was dialled.
        using var connected = await target.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var opened = PortalMessage.Decode((await answers.ReceiveAsync()).Payload);
        Assert.IsType<PortalOpened>(opened);
        Assert.True(await answers.StaysEmptyAsync(TimeSpan.FromMilliseconds(500)));
        Assert.False(elsewhere.Pending());
        Assert.False(target.Pending());
        Assert.Equal(1, outlet.StreamCount);
    }

    [Fact]
    public async Task Data_out_of_turn_resets_the_stream_and_its_connection()
    {
        var channel = await SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), PortalOutlet.ListenerAddress("svc")), fleet.Options(alice, TrustPolicy.Identifiers(bob.Identifier)));
        var answers = Inbox.Start(a, "answers", channel.Flow);
        await a.SendAsync(Message.To(Route.Of(channel.Address, outlet.Address), Route.Of(Address.Local("answers")), new PortalOpen(16 * 1024).Encode()));
        using var server = await target.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var stream = (await answers.ReceiveAsync()).ReturnRoute;

        await a.SendAsync(Message.To(stream, Route.Of(Address.Local("answers")), new PortalData(0, "first"u8.ToArray()).Encode()));
        var buffer = new byte[64];
        var read = await server.GetStream().ReadAsync(buffer);
        Assert.Equal("first"u8.ToArray(), buffer[..read]);

        // The service never sees the piece out of turn: its connection is reset, and the peer is told.
        await a.SendAsync(Message.To(stream, Route.Of(Address.Local("answers")), new PortalData(2, "third, not second"u8.ToArray()).Encode()));
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (await server.GetStream().ReadAsync(buffer) > 0)
            {
            }

            throw new IOException("closed, not reset");
        });
        Assert.IsType<PortalReset>(PortalMessage.Decode((await answers.ReceiveAsync()).Payload));
        await Eventually.TrueAsync(() => outlet.StreamCount == 0);
    }

    [Theory]
    [InlineData("data beyond the window")]
    [InlineData("credit beyond the window")]
    public async Task A_peer_that_breaks_the_window_is_reset(string breach)
    {
        var channel = await SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), PortalOutlet.ListenerAddress("svc")), fleet.Options(alice, TrustPolicy.Identifiers(bob.Identifier)));
        var answers = Inbox.Start(a, "answers", channel.Flow);
        await a.SendAsync(Message.To(Route.Of(channel.Address, outlet.Address), Route.Of(Address.Local("answers")), new PortalOpen(16 * 1024).Encode()));
        using var server = await target.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var stream = (await answers.ReceiveAsync()).ReturnRoute;

        // The outlet's window is 16 KiB: one message of 17 KiB is past it; a credit it never earned lifts its own past ours.
        PortalMessage forged = breach == "data beyond the window" ? new PortalData(0, new byte[17 * 1024]) : new PortalCredit(1);
        await a.SendAsync(Message.To(stream, Route.Of(Address.Local("answers")), forged.Encode()));

        var reset = Assert.IsType<PortalReset>(PortalMessage.Decode((await answers.ReceiveAsync()).Payload));
        Assert.Equal(breach, reset.Reason);
        await Eventually.TrueAsync(() => outlet.StreamCount == 0);
        var buffer = new byte[32 * 1024];
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (await server.GetStream().ReadAsync(buffer) > 0)
            {
            }

            throw new IOException("closed, not reset");
        });
    }

    [Fact]
    public async Task An_inlet_whose_peer_is_not_trusted_resets_its_connections_and_the_target_sees_none()
    {
        var carol = await fleet.MemberAsync();
        await using var inlet = PortalInlet.Start(a, new IPEndPoint(IPAddress.Loopback, 0), PortalOutlet.OutletAddress("svc"), ct =>
            SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), PortalOutlet.ListenerAddress("svc")), fleet.Options(carol, TrustPolicy.Identifiers(bob.Identifier)) with { HandshakeTimeout = TimeSpan.FromSeconds(2) }, ct), Small);

        using var client = new TcpClient();
        await client.ConnectAsync(inlet.Endpoint);
        await client.GetStream().WriteAsync("hello"u8.ToArray());
        var buffer = new byte[16];
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            if (await client.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30)) == 0)
            {
                throw new IOException("closed");
            }
        });
        Assert.Equal(1, inlet.Refused);
        Assert.False(target.Pending());
    }

    /// <summary>
    /// A target that does not answer (its host down, its accept queue full: here, a full queue) keeps an open waiting up
    /// to its timeout. The channel that carried the open carries the next message at once, though: the outlet runs in
    /// the channel's loop, and waiting there held up everything behind it on the node (its relayed messages, its
    /// answers) for that long, per open. Fails if the outlet waits for its target in the channel's loop.
    /// </summary>
    [Fact]
    public async Task An_open_whose_target_does_not_answer_holds_up_nothing_else_on_its_channel()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(1);
        var silentAt = (IPEndPoint)silent.LocalEndPoint!;

        // Never accepted: once its queue is full, a connection to it waits for an answer that does not come.
        var filling = Enumerable.Range(0, 4).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ToList();
        try
        {
            _ = filling.Select(f => f.ConnectAsync(silentAt)).ToList();
            var slowListener = fleet.Listen(b, PortalOutlet.ListenerAddress("slow").ValueText, fleet.Options(bob, TrustPolicy.Identifiers(alice.Identifier)));
            var slow = PortalOutlet.Start(b, slowListener, "slow", $"127.0.0.1:{silentAt.Port}", Small);
            var behind = Inbox.Start(b, "behind", slowListener.Flow);
            var channel = await SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), PortalOutlet.ListenerAddress("slow")), fleet.Options(alice, TrustPolicy.Identifiers(bob.Identifier)));
            Inbox.Start(a, "answers", channel.Flow);

            await a.SendAsync(Message.To(Route.Of(channel.Address, slow.Address), Route.Of(Address.Local("answers")), new PortalOpen(16 * 1024).Encode()));
            await a.SendAsync(Message.To(Route.Of(channel.Address, Address.Local("behind")), Route.Of(Address.Local("answers")), "after the open"u8.ToArray()));
            Assert.Equal("after the open"u8.ToArray(), (await behind.ReceiveAsync(TimeSpan.FromSeconds(3))).Payload.ToArray());
            Assert.Equal(1, slow.StreamCount);
        }
        finally
        {
            filling.ForEach(f => f.Dispose());
        }
    }

    private PortalInlet Inlet() =>
        PortalInlet.Start(a, new IPEndPoint(IPAddress.Loopback, 0), PortalOutlet.OutletAddress("svc"), ct =>
            SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), PortalOutlet.ListenerAddress("svc")), fleet.Options(alice, TrustPolicy.Identifiers(bob.Identifier)), ct), Small);

    /// <summary>An open message with a fourth field, a target.</summary>
    private static byte[] OpenNaming(string target)
    {
        var writer = new CborWriter(CborConformanceMode.Canonical);
        writer.WriteStartMap(4);
        writer.WriteUInt32(0);
        writer.WriteUInt32(PortalMessage.Version);
        writer.WriteUInt32(1);
        writer.WriteUInt32((uint)PortalKind.Open);
        writer.WriteUInt32(2);
        writer.WriteUInt32(16 * 1024);
        writer.WriteUInt32(3);
        writer.WriteTextString(target);
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var all = new MemoryStream();
        await stream.CopyToAsync(all);
        return all.ToArray();
    }

    private static async Task<byte[]> ReadAsync(Stream stream, int length)
    {
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer);
        return buffer;
    }
}
