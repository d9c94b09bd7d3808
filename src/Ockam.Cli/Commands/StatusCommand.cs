using System.CommandLine;
using Ockam.Client.Edge;
using Ockam.Messaging.Api;

namespace Ockam.Cli.Commands;

/// <summary>
/// <c>ockam status</c>: what this node is and whether it works — its identity, enrolment and credential expiry, the
/// silo and whether it answers, the relay it owns, the rooms and topics it has joined. It reads the home without its
/// lock, so it also reports on a node another process runs (whose own connection it then leaves alone: it only checks
/// that the silo accepts connections).
/// </summary>
internal static class StatusCommand
{
    /// <summary>How long the silo may take to answer before the status says it does not.</summary>
    private static readonly TimeSpan SiloTimeout = TimeSpan.FromSeconds(5);

    public static Command Build()
    {
        var status = new Command("status", "Show this node's identity, enrolment, credential expiry, silo, relay, rooms, topics and running portals; exit 3 if the silo does not answer");
        status.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            var node = await NodeStatus.ReadAsync(cli.Home, cancellationToken: token).ConfigureAwait(false);
            var silo = SiloSettings.Load(cli.Home);
            var fields = new List<(string, object?)>
            {
                ("home", cli.Home),
                ("node", node.Running ? "running (another process holds this home)" : "not running"),
                ("identity", node.Identity?.Identifier.ToString() ?? "none: run `ockam identity create`"),
            };
            if (node.Identity is { } identity)
            {
                var latest = identity.History.Latest.Data;
                fields.Add(("changes", identity.History.Changes.Count));
                fields.Add(("revoked", latest.Revoked));
                fields.Add(("key expires", latest.ExpiresAt));
            }

            fields.Add(("enrolled", node.Credential is not null));
            if (node.Credential is { } credential)
            {
                fields.Add(("credential expires", credential.ExpiresAt));
                fields.Add(("attributes", credential.Attributes.Keys.Order(StringComparer.Ordinal).Select(k => $"{k}={credential.GetText(k) ?? "(binary)"}")));
            }

            fields.Add(("rooms", Names(node.Groups, GroupKind.Room)));
            fields.Add(("topics", Names(node.Groups, GroupKind.Topic)));
            fields.Add(("portals", node.Portals.Count == 0 ? "none" : string.Join(", ", node.Portals.Select(p => p.Kind == "outlet" ? $"outlet {p.Relay} → {p.Address}" : $"inlet {p.Address} → {p.Relay}"))));

            var answers = true;
            if (silo is null)
            {
                fields.Add(("silo", "none: run `ockam silo set <host:port> <silo identifier>`"));
            }
            else if (node.Identity is null)
            {
                fields.Add(("silo", silo.Address));
                fields.Add(("silo answers", "not asked: this node has no identity to prove"));
            }
            else
            {
                answers = await CheckSiloAsync(cli, node, silo, fields, token).ConfigureAwait(false);
            }

            cli.Report("status", fields);
            return answers ? ExitCode.Ok : ExitCode.Unreachable;
        }, ct));
        return status;
    }

    /// <summary>Adds the silo's fields; whether it answered (or, for a running node, accepted a connection).</summary>
    private static async Task<bool> CheckSiloAsync(CliContext cli, NodeStatus node, SiloSettings silo, List<(string, object?)> fields, CancellationToken cancellationToken)
    {
        fields.Add(("silo", silo.Address));
        fields.Add(("silo identifier", silo.Identifier));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SiloTimeout);
        var probes = await SiloAddresses.Parse(silo.Address).ProbeAllAsync(TimeProvider.System, timeout.Token).ConfigureAwait(false);
        fields.Add(("silo accepts", probes.Select(p => $"{p.Address} {(p.Accepts ? "yes" : "no")}")));
        if (node.Running)
        {
            // The running node holds the home and its channel: this process cannot prove the node's identity meanwhile.
            return probes.Any(p => p.Accepts);
        }

        try
        {
            await using var edge = await cli.OpenEdgeAsync(timeout.Token).ConfigureAwait(false);
            var roundTrip = await edge.PingAsync(timeout.Token).ConfigureAwait(false);
            fields.Add(("silo answers", $"yes, proving its identifier, in {roundTrip.TotalMilliseconds:0} ms"));
            if (node.GrantedRelay is { } relay)
            {
                fields.Add(("relay", await DescribeRelayAsync(edge, relay, timeout.Token).ConfigureAwait(false)));
            }

            return true;
        }
        catch (Exception e) when (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            fields.Add(("silo answers", $"no answer in {SiloTimeout.TotalSeconds:0} s"));
        }
        catch (Exception e) when (e is Messaging.SecureChannels.HandshakeException or Messaging.Routing.RoutingException or TimeoutException or IOException)
        {
            fields.Add(("silo answers", $"no: {e.Message}"));
        }

        return false;
    }

    private static string Names(IReadOnlyList<GroupId> groups, GroupKind kind) =>
        groups.Any(g => g.Kind == kind) ? string.Join(", ", groups.Where(g => g.Kind == kind).Select(g => g.Name).Order(StringComparer.Ordinal)) : "none";

    private static async Task<string> DescribeRelayAsync(EdgeNode edge, string relay, CancellationToken cancellationToken)
    {
        try
        {
            var info = await edge.GetRelayAsync(relay, cancellationToken).ConfigureAwait(false);
            var owner = info.Owner == edge.Identifier.ToString() ? "owned by this node" : $"owned by {info.Owner}";
            return $"{relay}: {owner}, {(info.Online ? "listening" : "not listening (mail waits sealed)")}";
        }
        catch (EdgeException e) when (e.Status == ApiStatus.UnknownRelay)
        {
            return $"{relay}: not created yet (`ockam relay create {relay}`)";
        }
    }
}
