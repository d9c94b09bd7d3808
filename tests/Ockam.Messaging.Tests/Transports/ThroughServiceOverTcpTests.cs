using System.Net;
using System.Text;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Tests.Support;
using Ockam.Messaging.Transports;

namespace Ockam.Messaging.Tests.Transports;

/// <summary>
/// The mission in one test: A and B talk end to end through a service M over real TCP. M routes every
/// byte, records every byte, and still learns nothing and can forge nothing.
/// </summary>
public sealed class ThroughServiceOverTcpTests : IAsyncLifetime
{
    private const string Marker = "HEART-RATE-7f3a9c";
    private readonly Fleet fleet = new();
    private readonly ByteLog wire = new();
    private readonly List<IAsyncDisposable> owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var item in Enumerable.Reverse(owned))
        {
            await item.DisposeAsync();
        }

        await fleet.DisposeAsync();
    }

    [Fact]
    public async Task M_forwards_only_ciphertext_and_a_payload_it_changes_is_rejected_by_B()
    {
        var alice = await fleet.MemberAsync();
        var bob = await fleet.MemberAsync();
        var (b, bTcp) = Node();
        var portB = bTcp.Listen(new IPEndPoint(IPAddress.Loopback, 0)).Port;
        var (m, mTcp) = Node(new TransportOptions { WrapStream = s => new RecordingStream(s, wire) });
        var portM = mTcp.Listen(new IPEndPoint(IPAddress.Loopback, 0)).Port;
        var (a, _) = Node();

        // M relays untouched, except that it flips one bit in the 11th reading (after the three handshake messages and
        // B's confirmation).
        var relayed = 0;
        var relay = Relay.Start(m, mTcp.Flow, "to-b", Route.Of(Address.Tcp($"127.0.0.1:{portB}")), message =>
        {
            if (Interlocked.Increment(ref relayed) != 4 + 11)
            {
                return [message];
            }

            var bytes = message.Payload.ToArray();
            bytes[^5] ^= 0x80;
            return [message with { Payload = bytes }];
        });
        var listener = SecureChannelListener.Start(b, "listener", fleet.Options(bob, TrustPolicy.Identifiers(alice.Identifier)) with { IncomingFlows = [bTcp.Flow] });
        var inbox = Inbox.Start(b, "phone", listener.Flow);

        var channel = await SecureChannel.CreateAsync(
            a,
            Route.Of(Address.Tcp($"127.0.0.1:{portM}"), Address.Local("to-b"), Address.Local("listener")),
            fleet.Options(alice, TrustPolicy.Identifiers(bob.Identifier)));

        for (var i = 1; i <= 50; i++)
        {
            await a.SendAsync(new Message(Route.Of(channel.Address, Address.Local("phone")), Route.Empty, Encoding.UTF8.GetBytes($"{Marker} reading {i}")));
        }

        var readings = new List<string>();
        for (var i = 0; i < 49; i++)
        {
            var message = await inbox.ReceiveAsync();
            Assert.Equal(alice.Identifier, message.AuthenticatedPeer?.Identifier);
            readings.Add(Encoding.UTF8.GetString(message.Payload.Span));
        }

        // Every reading but the one M changed arrived, in order; the changed one was refused, not misread.
        Assert.Equal(Enumerable.Range(1, 50).Where(i => i != 11).Select(i => $"{Marker} reading {i}"), readings);
        Assert.True(await inbox.StaysEmptyAsync(TimeSpan.FromMilliseconds(300)));

        // M handled every byte (over 50 readings' worth) and none of them is plaintext.
        var seen = wire.ToArray();
        Assert.True(seen.Length > 50 * Marker.Length, $"M recorded only {seen.Length} bytes");
        Assert.Equal(-1, seen.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker)));
        Assert.Equal(-1, seen.AsSpan().IndexOf("reading"u8));
        Assert.DoesNotContain(relay.Seen, p => p.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker)) >= 0);
    }

    private (Node Node, TcpTransport Tcp) Node(TransportOptions? options = null)
    {
        var node = new Node();
        var tcp = new TcpTransport(node, options);
        owned.Add(node);
        owned.Add(tcp);
        return (node, tcp);
    }
}
