using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Identity.Policies;
using Ockam.Messaging.Api;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Transports;
using Ockam.Silo.Gateway;

namespace Ockam.Client.Tests;

/// <summary>
/// The mission: a heart-rate monitor sends readings to a phone through the silo, which routes and caches
/// them — while the phone is offline too — and can neither read nor forge one.
/// </summary>
public sealed class HeartRateTests : IAsyncLifetime
{
    private const string Marker = "HEART-RATE-c0ffee";
    private readonly TempDirectory data = new();
    private readonly TempDirectory phoneHome = new();
    private readonly TempDirectory monitorHome = new();
    private readonly ByteLog gatewayBytes = new();
    private int tamperWith;
    private int relayed;
    private RunningSilo silo = null!;

    public async Task InitializeAsync() =>
        silo = await RunningSilo.StartAsync(data.Path, services: s =>
        {
            s.Configure<EdgeGatewayOptions>(o => o.Transport = new TransportOptions { WrapStream = stream => new RecordingStream(stream, gatewayBytes) });
            new RelayedEnvelopeFilter(Tamper).AddTo(s);
        });

    public async Task DisposeAsync()
    {
        await silo.DisposeAsync();
        data.Dispose();
        phoneHome.Dispose();
        monitorHome.Dispose();
    }

    [Fact]
    public async Task A_thousand_readings_arrive_in_order_through_the_relay_across_an_offline_spell_and_the_service_sees_only_ciphertext()
    {
        var (phone, monitor, channel) = await PhoneAndMonitorAsync();
        await using var phoneNode = phone;
        await using var monitorNode = monitor;
        Assert.Equal(phone.Identifier, channel.Peer.Identifier);

        for (var i = 1; i <= 1000; i++)
        {
            if (i == 301)
            {
                await phone.GoOfflineAsync();
            }

            if (i == 701)
            {
                await phone.ReconnectAsync();
            }

            await monitor.SendAsync(channel, Encoding.UTF8.GetBytes($"{Marker} bpm={60 + (i % 40)} n={i}"));
        }

        var readings = new List<int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (readings.Count < 1000)
            {
                var received = await phone.ReceiveAsync(timeout.Token);
                Assert.Equal(monitor.Identifier, received.Sender);
                readings.Add(int.Parse(Encoding.UTF8.GetString(received.Payload.Span).Split("n=")[1], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        catch (OperationCanceledException)
        {
            var status = await silo.Grains.GetGrain<IRelayGrain>("phone").GetStatusAsync();
            Assert.Fail($"{readings.Count} readings arrived; missing {string.Join(",", Enumerable.Range(1, 1000).Except(readings).Take(20))}...; relay: {status}");
        }

        Assert.Equal(Enumerable.Range(1, 1000), readings);

        // The service handled every reading (and stored 400 of them) without ever holding a plaintext one.
        var marker = Encoding.UTF8.GetBytes(Marker);
        var wire = gatewayBytes.ToArray();
        Assert.True(wire.Length > 1000 * marker.Length, $"the gateway handled only {wire.Length} bytes");
        Assert.Equal(-1, wire.AsSpan().IndexOf(marker));
        foreach (var file in Directory.GetFiles(data.Path))
        {
            Assert.Equal(-1, (await ReadSharedAsync(file)).AsSpan().IndexOf(marker));
        }
    }

    [Fact]
    public async Task A_reading_the_service_alters_is_rejected_by_the_phone_never_misread()
    {
        var (phone, monitor, channel) = await PhoneAndMonitorAsync();
        await using var phoneNode = phone;
        await using var monitorNode = monitor;

        // The silo flips one bit in the 10th reading it relays (after handshake messages 1, 2 and 3 and the phone's
        // confirmation).
        await Eventually.TrueAsync(() => Volatile.Read(ref relayed) >= 4);

        tamperWith = 4 + 10;
        for (var i = 1; i <= 20; i++)
        {
            await monitor.SendAsync(channel, Encoding.UTF8.GetBytes($"{Marker} n={i}"));
        }

        var readings = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (readings.Count < 19)
        {
            readings.Add(Encoding.UTF8.GetString((await phone.ReceiveAsync(timeout.Token)).Payload.Span));
        }

        Assert.Equal(Enumerable.Range(1, 20).Where(i => i != 10).Select(i => $"{Marker} n={i}"), readings);
        using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await phone.ReceiveAsync(quiet.Token));
    }

    [Fact]
    public async Task A_node_cannot_take_over_another_nodes_relay()
    {
        await using var phone = await EnrolledAsync(phoneHome.Path, ("ockam.role", "phone"), ("ockam.relay", "phone"));
        await phone.CreateRelayAsync("phone");

        using var malloryHome = new TempDirectory();
        await using var mallory = await EnrolledAsync(malloryHome.Path, ("ockam.role", "monitor"));
        Assert.Equal(ApiStatus.Denied, (await Assert.ThrowsAsync<EdgeException>(() => mallory.CreateRelayAsync("phone"))).Status);
        Assert.Equal(ApiStatus.NotOwner, (await Assert.ThrowsAsync<EdgeException>(() => mallory.ListenAsync("phone"))).Status);

        // Even a credential that names the relay does not hand over one already owned.
        using var otherHome = new TempDirectory();
        await using var other = await EnrolledAsync(otherHome.Path, ("ockam.role", "phone"), ("ockam.relay", "phone"));
        Assert.Equal(ApiStatus.NotOwner, (await Assert.ThrowsAsync<EdgeException>(() => other.CreateRelayAsync("phone"))).Status);
        Assert.Equal(phone.Identifier.ToString(), (await silo.Grains.GetGrain<IRelayGrain>("phone").GetStatusAsync()).Owner);
    }

    /// <summary>A phone listening on its relay and a monitor with an end-to-end channel to it through the silo.</summary>
    private async Task<(EdgeNode Phone, EdgeNode Monitor, SecureChannel Channel)> PhoneAndMonitorAsync()
    {
        var phone = await EnrolledAsync(phoneHome.Path, ("ockam.role", "phone"), ("ockam.relay", "phone"));
        var monitor = await EnrolledAsync(monitorHome.Path, ("ockam.role", "monitor"));
        await phone.CreateRelayAsync("phone");
        await phone.AcceptAsync(Policy.Parse("(= subject.ockam.role \"monitor\")"));
        await phone.ListenAsync("phone");
        return (phone, monitor, await monitor.ConnectAsync("phone", Policy.Parse("(= subject.ockam.role \"phone\")")));
    }

    private Task<EdgeNode> EnrolledAsync(string home, params (string Name, string Value)[] attributes) => silo.EnrolledNodeAsync(home, attributes);

    private byte[] Tamper(byte[] envelope)
    {
        if (Interlocked.Increment(ref relayed) != Volatile.Read(ref tamperWith))
        {
            return envelope;
        }

        var changed = (byte[])envelope.Clone();
        changed[^5] ^= 0x01; // inside the payload's ciphertext
        return changed;
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await file.CopyToAsync(copy);
        return copy.ToArray();
    }
}
