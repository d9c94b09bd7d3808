using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Silo.Gateway;
using Ockam.Silo.Tests.Support;

namespace Ockam.Silo.Tests;

/// <summary>The gateway under abuse: each bad connection gets a clear error or a close, and the others carry on.</summary>
public sealed class GatewaySurvivalTests : IAsyncLifetime
{
    // The production default: long enough for 1 000 handshakes at once on two cores (4 s measured here).
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private readonly TempDirectory data = new();
    private RunningSilo silo = null!;
    private Edge healthy = null!;
    private ApiClient healthyApi = null!;

    public async Task InitializeAsync()
    {
        silo = await RunningSilo.StartAsync(data.Path, services: s => s.Configure<EdgeGatewayOptions>(o => o.HandshakeTimeout = HandshakeTimeout));
        healthy = await Edge.CreateAsync(silo);
        (_, healthyApi) = await healthy.OpenAsync("secure");
    }

    public async Task DisposeAsync()
    {
        await healthy.DisposeAsync();
        await silo.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task Garbage_bytes_close_that_connection_only()
    {
        using var raw = new TcpClient();
        await raw.ConnectAsync(silo.EdgeEndpoint);
        var stream = raw.GetStream();
        await stream.WriteAsync(RandomNumberGenerator.GetBytes(64));
        Assert.True(await ClosedAsync(stream));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task A_handshake_that_stalls_is_dropped_at_the_timeout()
    {
        var refused = new TaskCompletionSource<HandshakeError>(TaskCreationOptions.RunContinuationsAsynchronously);
        silo.Gateway.HandshakeFailed += (_, e) => refused.TrySetResult(e.Error);

        // A first handshake message (a fresh public key), then silence.
        await using var staller = await Edge.CreateAsync(silo);
        Inbox sink = new();
        staller.Node.StartWorker(Address.Local("sink"), sink);
        staller.Node.AcceptFlow(Address.Local("sink"), (await staller.Node.ProducerFlowAsync(Address.Tcp(silo.EdgeEndpoint.ToString())))!.Value);
        var key = await staller.Vault.GenerateKeyAsync(Ockam.Identity.Vault.KeyType.X25519, Ockam.Identity.Vault.KeyPersistence.Ephemeral);
        await staller.Node.SendAsync(new Message(Route.Of(Address.Tcp(silo.EdgeEndpoint.ToString()), Address.Local("secure")), Route.Of(Address.Local("sink")), staller.Vault.GetPublicKey(key)));

        Assert.Equal(HandshakeError.TimedOut, await refused.Task.WaitAsync(HandshakeTimeout * 3));
        Assert.NotNull(await sink.ReceiveAsync()); // it did get message 2: the gateway answered, then gave up waiting
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task A_thousand_connections_at_once_are_all_served()
    {
        var edges = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Edge.CreateAsync(silo)));
        try
        {
            // 1 000 TCP connections, 1 000 full handshakes (both ends in this process) and 1 000 requests, all at once.
            var started = System.Diagnostics.Stopwatch.StartNew();
            var answers = await Task.WhenAll(edges.Select(async edge =>
            {
                var (_, api) = await edge.OpenAsync("secure", TimeSpan.FromSeconds(120));
                return (await api.CallAsync(new GetAuthorityRequest())).Status;
            }));
            Assert.All(answers, status => Assert.Equal(ApiStatus.Ok, status));
            Console.WriteLine($"1000 connections, handshakes and requests at once: {started.Elapsed.TotalSeconds:F1} s");
            await AssertHealthyAsync();
        }
        finally
        {
            await Task.WhenAll(edges.Select(e => e.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task A_request_over_the_limit_gets_TooLarge_and_the_channel_stays_usable()
    {
        await using var edge = await Edge.CreateAsync(silo);
        var (channel, api) = await edge.OpenAsync("secure");
        var huge = new EnrollRequest(new string('t', ApiRequest.MaxSize));
        await Assert.ThrowsAsync<ArgumentException>(() => api.CallAsync(huge)); // refused locally first

        // Sent anyway, past the client's check: the gateway answers TooLarge, naming the request.
        var inbox = new Inbox();
        edge.Node.StartWorker(Address.Local("answers"), inbox);
        edge.Node.AcceptFlow(Address.Local("answers"), channel.Flow);
        var request = ApiRequest.Create(42, huge).Encode();
        await edge.Node.SendAsync(new Message(Route.Of(channel.Address, Address.Local("api")), Route.Of(Address.Local("answers")), request));
        var answer = ApiResponse.Decode((await inbox.ReceiveAsync()).Payload);
        Assert.Equal((42UL, ApiStatus.TooLarge), (answer.Id, answer.Status));
        Assert.Equal(ApiStatus.Ok, (await api.CallAsync(new GetAuthorityRequest())).Status);
    }

    private async Task AssertHealthyAsync()
    {
        var token = await silo.Grains.GetGrain<IAuthorityGrain>("default").CreateOperatorTokenAsync(new Dictionary<string, byte[]> { ["ockam.role"] = "sensor"u8.ToArray() }, TimeSpan.FromHours(1), uses: 1);
        Assert.Equal(ApiStatus.Ok, (await healthyApi.CallAsync(new EnrollRequest(token))).Status);
    }

    private static async Task<bool> ClosedAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[256];
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private sealed class Inbox : IWorker
    {
        private readonly Channel<Message> received = Channel.CreateUnbounded<Message>();

        public ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken) => received.Writer.WriteAsync(message, cancellationToken);

        public async Task<Message> ReceiveAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            return await received.Reader.ReadAsync(timeout.Token);
        }
    }
}
