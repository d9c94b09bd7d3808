using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;
using Ockam.Client.Edge;
using Ockam.Identity.Policies;
using Ockam.Messaging.Portals;
using Spectre.Console;

namespace Ockam.Cli.Commands;

/// <summary>
/// <c>ockam portal outlet</c>, <c>ockam portal inlet</c> and <c>ockam node run</c>: TCP connections carried end to end
/// through the silo's live relay hop (docs/portals.md).
/// </summary>
internal static class PortalCommands
{
    public static Command Portal()
    {
        var to = new Option<string>("--to") { Description = "The one address the outlet connects to, host:port (e.g. 127.0.0.1:5432)", Required = true };
        var relay = new Option<string>("--relay") { Description = "The relay inlets reach the outlet through (claimed by this node)", Required = true };
        var outletAllow = new Option<string>("--allow") { Description = "Who may open streams: an ABAC policy on the inlet node's credential", Required = true };
        var outlet = new Command("outlet", "Run a portal outlet beside a service until Ctrl-C") { to, relay, outletAllow };
        outlet.SetAction((result, ct) => CliContext.RunAsync(result, (cli, token) =>
            RunAsync(cli, new NodeConfig(Outlets: [new OutletConfig(result.GetValue(relay)!, result.GetValue(to)!, result.GetValue(outletAllow)!)]), token), ct));

        var from = new Option<string>("--from") { Description = "The local address to listen on, ip:port (e.g. 127.0.0.1:15432)", Required = true };
        var via = new Option<string>("--via") { Description = "The relay of the outlet to reach", Required = true };
        var inletAllow = new Option<string>("--allow") { Description = "Which node may be the outlet's: an ABAC policy on its credential", Required = true };
        var inlet = new Command("inlet", "Run a portal inlet on a client's node until Ctrl-C") { from, via, inletAllow };
        inlet.SetAction((result, ct) => CliContext.RunAsync(result, (cli, token) =>
            RunAsync(cli, new NodeConfig(Inlets: [new InletConfig(result.GetValue(from)!, result.GetValue(via)!, result.GetValue(inletAllow)!)]), token), ct));

        return new Command("portal", "TCP portals: a service's port, reached from a client's node end to end through the silo") { outlet, inlet };
    }

    public static Command Node()
    {
        var file = new Argument<string>("config") { Description = "A JSON file of relays, outlets and inlets (docs/portals.md)" };
        var run = new Command("run", "Run the relays and portals a configuration file names, until Ctrl-C") { file };
        run.SetAction((result, ct) => CliContext.RunAsync(result, (cli, token) => RunAsync(cli, Load(result.GetValue(file)!), token), ct));
        return new Command("node", "Run this node from a configuration") { run };
    }

    private static NodeConfig Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), CliJson.Default.NodeConfig) ?? throw new JsonException("empty");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCode.Usage, $"cannot read {path}: {e.Message}");
        }
    }

    /// <summary>Starts everything <paramref name="config"/> names on one node, reports it, and runs until Ctrl-C.</summary>
    private static async Task<int> RunAsync(CliContext cli, NodeConfig config, CancellationToken cancellationToken)
    {
        // Checked before the node opens: a typo fails at once, not after half the portals started.
        var outlets = (config.Outlets ?? []).Select(o => (o.Relay, o.To, Allow: ParsePolicy(o.Allow, $"outlet {o.Relay}"))).ToList();
        var inlets = (config.Inlets ?? []).Select(i => (From: ParseEndpoint(i.From), i.Via, Allow: ParsePolicy(i.Allow, $"inlet {i.From}"))).ToList();
        var relays = config.Relays ?? [];
        var accept = ParsePolicy(config.Accept ?? "(exists? subject.ockam.role)", "accept");
        if (outlets.Count + inlets.Count + relays.Count == 0)
        {
            throw new CliException(ExitCode.Usage, "nothing to run: name relays, outlets or inlets");
        }

        await using var node = await cli.OpenEdgeAsync(cancellationToken).ConfigureAwait(false);
        var running = new List<PortalInlet>();
        try
        {
            foreach (var (relay, to, allow) in outlets)
            {
                var outlet = await CreateOutletAsync(node, relay, to, allow, cancellationToken).ConfigureAwait(false);
                cli.Report("portal outlet", [("relay", relay), ("to", outlet.Target), ("allow", allow.Source)]);
            }

            foreach (var (from, via, allow) in inlets)
            {
                var inlet = await node.CreateInletAsync(from, via, allow, cancellationToken: cancellationToken).ConfigureAwait(false);
                running.Add(inlet);
                cli.Report("portal inlet", [("from", inlet.Endpoint), ("via", via), ("allow", allow.Source)]);
            }

            if (relays.Count > 0)
            {
                await node.AcceptAsync(accept, cancellationToken).ConfigureAwait(false);
                foreach (var relay in relays)
                {
                    await node.CreateRelayAsync(relay, cancellationToken).ConfigureAwait(false);
                    await node.ListenAsync(relay, cancellationToken).ConfigureAwait(false);
                    cli.Report("relay", [("name", relay), ("accept", accept.Source)]);
                }
            }

            if (!cli.Json)
            {
                AnsiConsole.MarkupLine("[grey]running; Ctrl-C stops[/]");
            }

            await PrintMessagesAsync(cli, node, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: the way to stop a running node.
        }
        finally
        {
            foreach (var inlet in running)
            {
                await inlet.DisposeAsync().ConfigureAwait(false);
            }
        }

        return ExitCode.Ok;
    }

    private static async Task<PortalOutlet> CreateOutletAsync(EdgeNode node, string relay, string to, Policy allow, CancellationToken cancellationToken)
    {
        try
        {
            return await node.CreateOutletAsync(relay, to, allow, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCode.Usage, $"bad --to for outlet {relay}: {e.Message}");
        }
    }

    /// <summary>Messages to the node's relays, printed as they come (nothing comes without relays: this just waits).</summary>
    private static async Task PrintMessagesAsync(CliContext cli, EdgeNode node, CancellationToken cancellationToken)
    {
        await foreach (var item in node.ReceiveAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var text = Encoding.UTF8.GetString(item.Payload.Span);
            Console.Out.WriteLine(cli.Json
                ? JsonSerializer.Serialize(new Dictionary<string, string> { ["from"] = item.Sender.ToString(), ["message"] = text, ["sealed"] = item.Sealed ? "true" : "false" }, CliJson.Default.DictionaryStringString)
                : text);
            await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static IPEndPoint ParseEndpoint(string text) =>
        IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0
            ? endpoint
            : throw new CliException(ExitCode.Usage, $"bad --from: not ip:port: {text}");

    private static Policy ParsePolicy(string source, string what)
    {
        try
        {
            return Policy.Parse(source);
        }
        catch (PolicyParseException e)
        {
            throw new CliException(ExitCode.Usage, $"bad policy for {what}: {e.Message}");
        }
    }
}
