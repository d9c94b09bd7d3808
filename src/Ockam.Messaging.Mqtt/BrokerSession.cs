using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Ockam.Messaging.Mqtt;

/// <summary>
/// The node's one connection to the broker: connects and subscribes, reconnects with back-off when it breaks, and
/// publishes at QoS 1, waiting while the broker is away. Messages that arrive go to <c>received</c> one at a time, in
/// order; each is acknowledged when that returns, so the broker never has more than <see cref="ReceiveMaximum"/> unread.
/// </summary>
internal sealed partial class BrokerSession : IAsyncDisposable
{
    /// <summary>QoS 1 messages the broker may have sent us unacknowledged: what this node may hold unread, at most.</summary>
    public const ushort ReceiveMaximum = 256;

    /// <summary>What a PUBLISH packet adds to its payload, at most: fixed header, topic (four short levels), packet id, properties.</summary>
    private const int PacketOverhead = 1024;

    private readonly MqttTransportOptions options;
    private readonly MqttTopics topics;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly IMqttClient client;
    private readonly CancellationTokenSource stop = new();
    private readonly Lock gate = new();
    private TaskCompletionSource up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource down = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? supervisor;
    private int disposed;

    public BrokerSession(MqttTransportOptions options, MqttTopics topics, TimeProvider time, ILogger logger, Func<MqttApplicationMessage, CancellationToken, Task> received)
    {
        this.options = options;
        this.topics = topics;
        this.time = time;
        this.logger = logger;
        client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e => received(e.ApplicationMessage, stop.Token);
        client.DisconnectedAsync += _ =>
        {
            MarkDown();
            return Task.CompletedTask;
        };
    }

    public bool IsConnected => up.Task.IsCompletedSuccessfully && client.IsConnected;

    /// <summary>Raised each time the broker connection breaks; it reconnects on its own.</summary>
    public event Action? Lost;

    /// <summary>Starts connecting (once) and completes when connected and subscribed.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            supervisor ??= Task.Run(SuperviseAsync, CancellationToken.None);
        }

        return WaitUpAsync(cancellationToken);
    }

    /// <summary>Publishes at QoS 1 once the broker is there; a publish the connection broke under is sent again after it is back.</summary>
    /// <remarks>A repeat may arrive twice: QoS 1 is at least once, and the secure channel's replay window drops the second.</remarks>
    public async ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(new ReadOnlySequence<byte>(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        while (true)
        {
            await WaitUpAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var result = await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
                if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
                {
                    // The broker's rules (an ACL) refuse it: sending it again would be refused again.
                    LogPublishRefused(logger, result.ReasonCode);
                }

                return;
            }
            catch (MqttCommunicationException) when (cancellationToken.IsCancellationRequested)
            {
                // MQTTnet reports a cancelled wait for the acknowledgement as a timeout; the caller asked to stop, and is told so.
                throw new OperationCanceledException(cancellationToken);
            }
            catch (MqttCommunicationException e)
            {
                LogPublishFailed(logger, e.Message);
                if (!client.IsConnected)
                {
                    MarkDown();
                }

                // Not a tight loop if the client has not noticed yet that its connection is gone.
                await Task.Delay(options.Transport.ReconnectMinDelay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        MarkDown();
        if (supervisor is not null)
        {
            await supervisor.ConfigureAwait(false);
        }

        if (client.IsConnected)
        {
            try
            {
                await client.DisconnectAsync().ConfigureAwait(false);
            }
            catch (MqttCommunicationException)
            {
                // Leaving anyway: the broker notices when the socket closes.
            }
        }

        client.Dispose();
        stop.Dispose();
    }

    private async Task WaitUpAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task current;
            lock (gate)
            {
                current = up.Task;
            }

            await current.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (client.IsConnected || stop.IsCancellationRequested)
            {
                ObjectDisposedException.ThrowIf(stop.IsCancellationRequested, this);
                return;
            }

            MarkDown();
        }
    }

    private void MarkDown()
    {
        lock (gate)
        {
            if (up.Task.IsCompleted)
            {
                up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            down.TrySetResult();
        }
    }

    private async Task SuperviseAsync()
    {
        var attempt = 0;
        while (!stop.IsCancellationRequested)
        {
            TaskCompletionSource lost;
            lock (gate)
            {
                lost = down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            try
            {
                await ConnectAsync().ConfigureAwait(false);
                MqttTelemetry.BrokerSessions.Add(1, new KeyValuePair<string, object?>("ockam.outcome", "connected"));
                LogConnected(logger, options.Host, options.Port, options.NodeName);
                var since = time.GetTimestamp();
                lock (gate)
                {
                    up.TrySetResult();
                }

                await lost.Task.WaitAsync(stop.Token).ConfigureAwait(false);
                LogLost(logger, options.Host, options.Port);
                Lost?.Invoke();

                // Back-off starts over only after a connection that lasted: a broker that accepts and then drops us
                // (another client taking our client identifier) is not redialled in a tight loop.
                attempt = time.GetElapsedTime(since) >= options.Transport.ReconnectMaxDelay ? 0 : attempt;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is MqttCommunicationException or IOException or SocketException or OperationCanceledException)
            {
                MqttTelemetry.BrokerSessions.Add(1, new KeyValuePair<string, object?>("ockam.outcome", "failed"));
                LogConnectFailed(logger, options.Host, options.Port, e.Message);
                if (client.IsConnected)
                {
                    await client.DisconnectAsync().ConfigureAwait(false);
                }
            }

            try
            {
                await Task.Delay(options.Transport.ReconnectDelay(attempt++), time, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Connects and subscribes to this node's topics at QoS 1, within the connect timeout.</summary>
    private async Task ConnectAsync()
    {
        using var timeout = new CancellationTokenSource(options.Transport.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, timeout.Token);
        await client.ConnectAsync(ClientOptions(), linked.Token).ConfigureAwait(false);
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in topics.Subscriptions)
        {
            subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var result = await client.SubscribeAsync(subscribe.Build(), linked.Token).ConfigureAwait(false);
        foreach (var item in result.Items)
        {
            if (item.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
            {
                throw new IOException($"the broker granted {item.ResultCode} for {item.TopicFilter.Topic}, not QoS 1");
            }
        }
    }

    private MqttClientOptions ClientOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithClientId(options.EffectiveClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(options.CleanSession)
            .WithSessionExpiryInterval(options.CleanSession ? 0 : (uint)options.SessionExpiry.TotalSeconds)
            .WithReceiveMaximum(ReceiveMaximum)

            // The broker drops for us what exceeds it, so that most oversized messages never cross the network.
            .WithMaximumPacketSize((uint)(options.Transport.MaxFrameSize + PacketOverhead))
            .WithTimeout(options.Transport.ConnectTimeout);
        if (options.UserName is not null)
        {
            builder.WithCredentials(options.UserName, options.Password);
        }

        if (options.UseTls)
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls().WithTargetHost(options.TlsTargetHost ?? options.Host);
                if (options.TlsTrustedRoots is { } roots)
                {
                    tls.WithTrustChain(roots);
                }

                if (options.TlsClientCertificate is { } certificate)
                {
                    tls.WithClientCertificates([certificate]);
                }
            });
        }

        return builder.Build();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "connected to the MQTT broker {Host}:{Port} as node {Node}")]
    private static partial void LogConnected(ILogger logger, string host, int port, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "lost the MQTT broker {Host}:{Port}; reconnecting")]
    private static partial void LogLost(ILogger logger, string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not connect to the MQTT broker {Host}:{Port}: {Reason}; trying again")]
    private static partial void LogConnectFailed(ILogger logger, string host, int port, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "a publish to the MQTT broker failed: {Reason}; sending it again once connected")]
    private static partial void LogPublishFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the MQTT broker refused a publish ({ReasonCode}); the frame is dropped")]
    private static partial void LogPublishRefused(ILogger logger, MqttClientPublishReasonCode reasonCode);
}
