using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Policies;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Client.Tests.Attacks;

/// <summary>
/// What comes out of a secure channel, or out of a relay, reaches only what that channel or relay was granted:
/// attacks on a real silo and real edge nodes. Each fails if flow control is removed.
/// </summary>
public sealed class FlowControlAttackTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly TempDirectory phoneHome = new();
    private RunningSilo silo = null!;
    private TcpListener target = null!;

    public async Task InitializeAsync()
    {
        silo = await RunningSilo.StartAsync(data.Path);

        // A service on the silo's (or the phone's) own network that no peer should be able to reach through it.
        target = new TcpListener(IPAddress.Loopback, 0);
        target.Start();
    }

    public async Task DisposeAsync()
    {
        target.Stop();
        await silo.DisposeAsync();
        data.Dispose();
        phoneHome.Dispose();
    }

    private Address Target => Address.Tcp($"127.0.0.1:{((IPEndPoint)target.LocalEndpoint).Port}");

    [Fact]
    public async Task An_unenrolled_identity_cannot_make_the_silo_dial_nor_reach_its_member_listener_or_relay_hop()
    {
        await using var stranger = await Ockam.Testing.Edge.CreateAsync(silo);
        var (channel, api) = await stranger.OpenAsync("secure");

        await stranger.Node.SendAsync(Message.To(Route.Of(channel.Address, Target, Address.Local("x")), Route.Empty, "dial for me"u8.ToArray()));
        await stranger.Node.SendAsync(Message.To(Route.Of(channel.Address, Address.Local("relay"), Address.Local("anyone"), Address.Local("listener")), Route.Empty, "relay for me"u8.ToArray()));
        await stranger.Node.SendAsync(Message.To(Route.Of(channel.Address, Address.Local("relay.live"), Address.Local("anyone"), Address.Local("listener")), Route.Empty, "relay live for me"u8.ToArray()));

        // A handshake into "member" from inside the secure channel: the member listener is reachable from the TCP port only.
        var failures = 0;
        silo.Gateway.HandshakeFailed += (_, _) => Interlocked.Increment(ref failures);
        var nested = SecureChannel.CreateAsync(stranger.Node, Route.Of(channel.Address, Address.Local("member")), new SecureChannelOptions
        {
            Vault = stranger.Vault,
            Identity = stranger.Identity,
            StaticKey = stranger.StaticKey,
            TrustPolicy = TrustPolicy.AnyIdentity,
            HandshakeTimeout = TimeSpan.FromSeconds(1),
        });

        Assert.Equal(HandshakeError.TimedOut, (await Assert.ThrowsAsync<HandshakeException>(() => nested)).Error);
        Assert.False(target.Pending());
        Assert.Null((await silo.Grains.GetGrain<IRelayGrain>("anyone").GetStatusAsync()).Owner);
        Assert.Equal(0, Volatile.Read(ref failures)); // no second handshake was ever started: message 1 went nowhere

        // The channel itself still works for what it is granted.
        Assert.Equal(ApiStatus.Ok, (await api.CallAsync(new GetAuthorityRequest())).Status);
    }

    [Fact]
    public async Task A_member_sending_through_a_relay_cannot_make_the_owners_node_dial_or_speak_to_the_silo_as_it()
    {
        // The phone may claim any relay name; Mallory is a plain member.
        await using var phone = await silo.EnrolledNodeAsync(phoneHome.Path, ("ockam.role", "phone"), ("ockam.relay", "*"));
        await phone.CreateRelayAsync("phone");
        await phone.AcceptAsync(Policy.Parse("(= subject.ockam.role \"monitor\")"));
        await phone.ListenAsync("phone");

        await using var mallory = await Ockam.Testing.Edge.CreateAsync(silo);
        var toSilo = await MemberChannelAsync(mallory);

        // The worst case: Mallory knows the address of the phone's own channel to the silo.
        var phoneChannel = (SecureChannel)typeof(EdgeNode).GetField("channel", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(phone)!;
        var smuggled = ApiRequest.Create(7, new CreateRelayRequest("smuggled")).Encode();
        Route ThroughRelay(params Address[] rest) => Route.Of([toSilo.Address, Address.Local(RelayDelivery.RelayAddress), Address.Local("phone"), .. rest]);
        await mallory.Node.SendAsync(Message.To(ThroughRelay(phoneChannel.Address, Address.Local("api")), Route.Empty, smuggled));
        await mallory.Node.SendAsync(Message.To(ThroughRelay(Target, Address.Local("x")), Route.Empty, "dial for me"u8.ToArray()));

        // Both reached the phone's node (the relay delivered them) and went no further.
        await Eventually.TrueAsync(async () => (await silo.Grains.GetGrain<IRelayGrain>("phone").GetStatusAsync()).Online);
        // A window in which a dial, had the phone's node made one, would have reached the target: nothing must.
        await Task.Delay(1000);
        Assert.False(target.Pending());
        Assert.Null((await silo.Grains.GetGrain<IRelayGrain>("smuggled").GetStatusAsync()).Owner);

        // The relay still serves what it is for: an end-to-end channel from a monitor.
        using var monitorHome = new TempDirectory();
        await using var monitor = await silo.EnrolledNodeAsync(monitorHome.Path, ("ockam.role", "monitor"));
        var endToEnd = await monitor.ConnectAsync("phone", Policy.Parse("(= subject.ockam.role \"phone\")"));
        await monitor.SendAsync(endToEnd, "reading"u8.ToArray());
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Assert.Equal("reading"u8.ToArray(), (await phone.ReceiveAsync(wait.Token)).Payload.ToArray());
    }

    [Fact]
    public async Task A_member_flooding_an_edges_listener_with_handshakes_does_not_lock_out_another_sender()
    {
        await using var phone = await silo.EnrolledNodeAsync(phoneHome.Path, ("ockam.role", "phone"), ("ockam.relay", "phone"));
        await phone.CreateRelayAsync("phone");
        await phone.AcceptAsync(Policy.Parse("(= subject.ockam.role \"monitor\")"));
        await phone.ListenAsync("phone");

        // Mallory starts 40 handshakes with the phone's listener and never finishes one.
        await using var mallory = await Ockam.Testing.Edge.CreateAsync(silo);
        var toSilo = await MemberChannelAsync(mallory);
        for (var i = 0; i < 40; i++)
        {
            var ephemeral = await mallory.Vault.GenerateKeyAsync(Ockam.Identity.Vault.KeyType.X25519, Ockam.Identity.Vault.KeyPersistence.Ephemeral);
            await mallory.Node.SendAsync(Message.To(Route.Of(toSilo.Address, Address.Local(RelayDelivery.RelayAddress), Address.Local("phone"), Address.Local("listener")), Route.Empty, mallory.Vault.GetPublicKey(ephemeral)));
        }

        // A monitor still gets its channel: the listener's per-flow bound counts Mallory's handshakes as hers alone.
        using var monitorHome = new TempDirectory();
        await using var monitor = await silo.EnrolledNodeAsync(monitorHome.Path, ("ockam.role", "monitor"));
        // Time for Mallory's handshakes to reach the phone's listener through the relay before the monitor's does
        // (nothing outside the node signals their arrival).
        await Task.Delay(500);
        var endToEnd = await monitor.ConnectAsync("phone", Policy.Parse("(= subject.ockam.role \"phone\")"));
        await monitor.SendAsync(endToEnd, "reading"u8.ToArray());
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Assert.Equal("reading"u8.ToArray(), (await phone.ReceiveAsync(wait.Token)).Payload.ToArray());
    }

    /// <summary>A plain member (a monitor) speaking raw messages over its own channel to the silo's member listener.</summary>
    private async Task<SecureChannel> MemberChannelAsync(Ockam.Testing.Edge member)
    {
        var (_, secure) = await member.OpenAsync("secure");
        var token = await silo.Grains.GetGrain<IAuthorityGrain>("default").CreateOperatorTokenAsync(Attributes(("ockam.role", "monitor")), TimeSpan.FromHours(1), uses: 1);
        var enrolled = await secure.CallAsync(new EnrollRequest(token));
        return (await member.OpenAsync("member", CredentialPresentation.Decode(enrolled.Value.Credential))).Channel;
    }

    private static Dictionary<string, byte[]> Attributes(params (string Name, string Value)[] attributes) =>
        attributes.ToDictionary(a => a.Name, a => Encoding.UTF8.GetBytes(a.Value), StringComparer.Ordinal);
}
