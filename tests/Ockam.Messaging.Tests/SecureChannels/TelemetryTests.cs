using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Telemetry;
using Ockam.Messaging.Tests.Support;

namespace Ockam.Messaging.Tests.SecureChannels;

/// <summary>Handshakes and message flow are traced and counted, and no tag carries a secret or a plaintext.</summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private const string Marker = "TELEMETRY-MARKER-51d2";
    private readonly Fleet fleet = new();
    private readonly List<Activity> activities = [];
    private readonly List<(string Instrument, object?[] Tags)> measurements = [];
    private ActivityListener? listener;
    private MeterListener? meters;

    public Task InitializeAsync()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MessagingTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (activities)
                {
                    activities.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        meters = new MeterListener { InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == MessagingTelemetry.Name) { l.EnableMeasurementEvents(instrument); } } };
        meters.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
        meters.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        meters.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        listener?.Dispose();
        meters?.Dispose();
        await fleet.DisposeAsync();
    }

    [Fact]
    public async Task A_channel_is_traced_and_counted_without_secrets_or_plaintext_in_any_tag()
    {
        var alice = await fleet.MemberAsync();
        var bob = await fleet.MemberAsync();
        var a = fleet.Node("a");
        var b = fleet.Node("b");
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.AnyIdentity));
        var inbox = Inbox.Start(b, "inbox", listener.Flow);
        var channel = await SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), Address.Local("listener")), fleet.Options(alice, TrustPolicy.AnyIdentity));
        await a.SendAsync(new Message(Route.Of(channel.Address, Address.Local("inbox")), Route.Empty, Encoding.UTF8.GetBytes(Marker)));
        await inbox.ReceiveAsync();
        // The spans end, and the counters count, on the nodes' own tasks: a moment after the message arrives.
        await Eventually.TrueAsync(() =>
        {
            lock (activities)
            {
                return activities.Any(t => t.OperationName == "secure_channel.handshake" && (string?)t.GetTagItem("ockam.role") == "initiator" && (string?)t.GetTagItem("ockam.outcome") == "opened")
                    && activities.Any(t => t.OperationName == "secure_channel.handshake" && (string?)t.GetTagItem("ockam.role") == "responder");
            }
        });

        Activity[] traced;
        lock (activities)
        {
            traced = [.. activities];
        }

        Assert.Contains(traced, t => t.OperationName == "secure_channel.handshake" && (string?)t.GetTagItem("ockam.role") == "initiator" && (string?)t.GetTagItem("ockam.outcome") == "opened");
        Assert.Contains(traced, t => t.OperationName == "secure_channel.handshake" && (string?)t.GetTagItem("ockam.role") == "responder");
        lock (measurements)
        {
            Assert.Contains(measurements, m => m.Instrument == "ockam.secure_channel.messages.sent");
            Assert.Contains(measurements, m => m.Instrument == "ockam.secure_channel.messages.received");
            Assert.Contains(measurements, m => m.Instrument == "ockam.transport.bytes.sent");
        }

        // Nothing that identifies a key or carries content: only roles, outcomes and reasons. (A snapshot: the
        // listener is process-wide, and other tests' nodes keep recording while this one reads.)
        (string Instrument, object?[] Tags)[] measured;
        lock (measurements)
        {
            measured = [.. measurements];
        }

        var everyTag = traced.SelectMany(t => t.TagObjects.Select(kv => $"{kv.Key}={kv.Value}"))
            .Concat(measured.SelectMany(m => m.Tags.Select(t => t?.ToString() ?? string.Empty)))
            .ToList();
        Assert.NotEmpty(everyTag);
        Assert.DoesNotContain(everyTag, t => t.Contains(Marker, StringComparison.Ordinal));
        Assert.DoesNotContain(everyTag, t => t.Contains(Convert.ToHexStringLower(fleet.Vault.GetPublicKey(alice.StaticKey.Key)), StringComparison.Ordinal));
        Assert.All(everyTag, t => Assert.Matches("^ockam\\.(role|outcome|reason)=[A-Za-z]+$", t));
    }

    private void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var values = tags.ToArray().Select(t => (object?)$"{t.Key}={t.Value}").ToArray();
        lock (measurements)
        {
            measurements.Add((instrument.Name, values));
        }
    }
}
