using System.Globalization;
using System.Net.NetworkInformation;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Routing;
using Ockam.Silo.Tests.Support;

namespace Ockam.Silo.Tests;

/// <summary>The Prometheus scrape endpoint (<c>--telemetry prometheus</c>) and the logs, after real traffic through a real silo.</summary>
/// <remarks>
/// Alone: the scrape counts every silo of the test process, and one CI run counted 49 relayed messages where this test
/// sent 5, the rest another test class's, running at the same time.
/// </remarks>
[Collection(RunsAlone.Name)]
public sealed class PrometheusTests : IAsyncLifetime
{
    private const string Plaintext = "heart-rate 72 bpm, patient 0417";
    private const string RelayName = "relay-of-the-phone-7c1e";

    private readonly TempDirectory data = new();
    private readonly List<Edge> edges = [];
    private readonly int port = RunningSilo.FreePort();
    private readonly LogRecorder logs = new();
    private RunningSilo silo = null!;

    public async Task InitializeAsync() =>
        silo = await RunningSilo.StartAsync(
            data.Path,
            services: s =>
            {
                // The levels a console shows (appsettings.json's rules over this default).
                s.Configure<LoggerFilterOptions>(o => o.MinLevel = LogLevel.Information);
                s.AddSingleton<ILoggerProvider>(logs);
            },
            extraArgs: ["--telemetry", "Prometheus", "--prometheus-port", port.ToString(CultureInfo.InvariantCulture)]);

    public async Task DisposeAsync()
    {
        foreach (var edge in edges)
        {
            await edge.DisposeAsync();
        }

        await silo.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task The_scrape_shows_the_projects_and_orleans_meters_after_traffic_and_neither_it_nor_the_logs_a_secret()
    {
        var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
        var tokens = new List<string>();
        async Task<CredentialPresentation> EnrolAsync(Edge edge, string role)
        {
            var token = await authority.CreateOperatorTokenAsync(
                new Dictionary<string, byte[]> { ["ockam.role"] = Encoding.UTF8.GetBytes(role), ["ockam.relay"] = "*"u8.ToArray() }, TimeSpan.FromHours(1), uses: 1);
            tokens.Add(token);
            var (_, api) = await edge.OpenAsync("secure");
            var response = await api.CallAsync(new EnrollRequest(token));
            Assert.Equal(ApiStatus.Ok, response.Status);
            return CredentialPresentation.Decode(response.Value.Credential);
        }

        // A phone owns a relay and listens on it; a device sends it messages through the silo.
        var phone = await EdgeAsync();
        var (phoneChannel, phoneApi) = await phone.OpenAsync("member", await EnrolAsync(phone, "phone"));
        Assert.Equal(ApiStatus.Ok, (await phoneApi.CallAsync(new CreateRelayRequest(RelayName))).Status);
        var inbox = Channel.CreateUnbounded<RelayDelivery>();
        phone.Node.StartWorker(Address.Local(RelayDelivery.InboxAddress), new Collects(inbox.Writer));
        phone.Node.AcceptFlow(Address.Local(RelayDelivery.InboxAddress), phoneChannel.Flow);
        Assert.Equal(ApiStatus.Ok, (await phoneApi.CallAsync(new ListenRelayRequest(RelayName))).Status);

        var device = await EdgeAsync();
        var deviceCredential = await EnrolAsync(device, "sensor");
        var (deviceChannel, _) = await device.OpenAsync("member", deviceCredential);
        const int messages = 5;
        for (var i = 0; i < messages; i++)
        {
            await device.Node.SendAsync(new Message(
                Route.Of(deviceChannel.Address, Address.Local(RelayDelivery.RelayAddress), Address.Local(RelayName), Address.Local("app")),
                Route.Of(Address.Local("app")),
                Encoding.UTF8.GetBytes(Plaintext)));
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var i = 0; i < messages; i++)
        {
            await inbox.Reader.ReadAsync(wait.Token);
        }

        // An administrator revokes the device's credential.
        var admin = await EdgeAsync();
        var adminToken = await authority.CreateOperatorTokenAsync(new Dictionary<string, byte[]> { ["ockam.role"] = "admin"u8.ToArray() }, TimeSpan.FromHours(1), uses: 1);
        tokens.Add(adminToken);
        var (_, adminSecure) = await admin.OpenAsync("secure");
        var adminCredential = CredentialPresentation.Decode((await adminSecure.CallAsync(new EnrollRequest(adminToken))).Value.Credential);
        var (_, adminApi) = await admin.OpenAsync("member", adminCredential);
        Assert.Equal(ApiStatus.Ok, (await adminApi.CallAsync(new RevokeRequest(deviceCredential.Credential.Data.Serial))).Status);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var scrape = await http.GetStringAsync(new Uri($"http://localhost:{port}/metrics"));
        var series = Parse(scrape);

        // The project's meters, each with a value from the traffic above.
        Assert.True(Sum(series, "ockam_authority_enrolments_total", "ockam_outcome=\"Issued\"") >= 3, scrape);
        Assert.Equal(messages, Sum(series, "ockam_relay_messages_total", "ockam_outcome=\"Ok\""));
        Assert.True(Sum(series, "ockam_relay_bytes_total") >= messages * Plaintext.Length, "relayed bytes");
        Assert.True(Sum(series, "ockam_authority_revocations_total") >= 1, "revocations");
        Assert.True(Sum(series, "ockam_secure_channel_handshakes_total", "ockam_outcome=") >= 6, "handshakes by outcome");
        Assert.True(Sum(series, "ockam_transport_connections") >= 3, "open connections");
        Assert.True(Sum(series, "ockam_gateway_requests_total", "ockam_operation=\"enroll\"") >= 3, "requests");
        Assert.True(Sum(series, "ockam_storage_commit_writes_count") >= 1, "group commits of the stores");
        Assert.Equal(messages, Sum(series, "ockam_relay_mailbox_messages")); // stored until the phone acknowledges them, which it never does here
        Assert.True(Sum(series, "ockam_relay_mailbox_bytes") >= messages * Plaintext.Length, "mailbox bytes");

        // Orleans' own, with the grain types of ours that served the traffic.
        Assert.True(Sum(series, "orleans_catalog_activation_created_total", "grain_type=\"relay\"") >= 1, "Orleans' activations");

        // Nothing secret, plaintext or identifying: no token, message, relay name or identifier.
        foreach (var secret in tokens.Concat([Plaintext, RelayName, device.Identifier.ToString(), phone.Identifier.ToString(), admin.Identifier.ToString()]))
        {
            Assert.DoesNotContain(secret, scrape, StringComparison.Ordinal);
        }

        // The logs say what happened (who enrolled, who revoked) and hold no token, message or relay name.
        var log = string.Join('\n', logs.Lines);
        Assert.Contains($"enroll by {device.Identifier}: Ok", log, StringComparison.Ordinal);
        Assert.Contains($"listen-relay by {phone.Identifier}: Ok", log, StringComparison.Ordinal);
        Assert.Contains($"revoke by {admin.Identifier}: Ok", log, StringComparison.Ordinal);
        foreach (var secret in tokens.Concat([Plaintext, RelayName]))
        {
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_scrape_endpoint_listens_on_loopback_only()
    {
        var listeners = IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Where(e => e.Port == port).ToList();
        Assert.NotEmpty(listeners);
        Assert.All(listeners, e => Assert.True(System.Net.IPAddress.IsLoopback(e.Address), $"{e} is reachable from other machines"));
    }

    /// <summary>Each series (its name and labels) and its value, from Prometheus' text format.</summary>
    private static Dictionary<string, List<(string Labels, double Value)>> Parse(string scrape)
    {
        var series = new Dictionary<string, List<(string, double)>>(StringComparer.Ordinal);
        foreach (var line in scrape.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            var name = brace >= 0 ? line[..brace] : line[..space];
            var labels = brace >= 0 ? line[brace..(line.LastIndexOf('}') + 1)] : "";
            var value = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            if (!series.TryGetValue(name, out var values))
            {
                series[name] = values = [];
            }

            values.Add((labels, value));
        }

        return series;
    }

    private static double Sum(Dictionary<string, List<(string Labels, double Value)>> series, string name, string label = "") =>
        series.TryGetValue(name, out var values) ? values.Where(v => v.Labels.Contains(label, StringComparison.Ordinal)).Sum(v => v.Value) : 0;

    private async Task<Edge> EdgeAsync()
    {
        var edge = await Edge.CreateAsync(silo);
        edges.Add(edge);
        return edge;
    }

    private sealed class Collects(ChannelWriter<RelayDelivery> into) : Ockam.Messaging.Routing.IWorker
    {
        public ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken) =>
            into.WriteAsync(RelayDelivery.Decode(message.Payload), cancellationToken);
    }
}
