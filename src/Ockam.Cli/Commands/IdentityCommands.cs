using System.CommandLine;
using Ockam.Client.Edge;
using Ockam.Identity.Identities;
using Ockam.Messaging.Nodes;

namespace Ockam.Cli.Commands;

/// <summary><c>ockam identity create|show|rotate|revoke</c>.</summary>
internal static class IdentityCommands
{
    public static Command Build()
    {
        var create = new Command("create", "Create this node's identity (its first key) in the home directory");
        create.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            // It writes the vault and the identities file: a node running in the home meanwhile would have written
            // them from what it read before, so one of the two would lose the other's keys.
            using var held = NodeHomeLock.Acquire(cli.Home);
            var existed = File.Exists(Path.Combine(cli.Home, "identities.cbor"));
            using var home = await NodeHome.OpenAsync(cli.Home, cancellationToken: token).ConfigureAwait(false);
            var identity = await home.GetOrCreateIdentityAsync("default", token).ConfigureAwait(false);
            cli.Report("identity", [("identifier", identity.Identifier), ("created", !existed), ("home", cli.Home)]);
            return ExitCode.Ok;
        }, ct));

        var show = new Command("show", "Show this node's identity and credential");
        show.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            if (!File.Exists(Path.Combine(cli.Home, "identities.cbor")))
            {
                throw new CliException(ExitCode.NotConfigured, $"no identity in {cli.Home}: run `ockam identity create`");
            }

            using var home = await NodeHome.OpenAsync(cli.Home, cancellationToken: token).ConfigureAwait(false);
            var identity = await home.GetOrCreateIdentityAsync("default", token).ConfigureAwait(false);
            var latest = identity.History.Latest.Data;
            cli.Report("identity", [
                ("identifier", identity.Identifier),
                ("changes", identity.History.Changes.Count),
                ("revoked", latest.Revoked),
                ("key expires", latest.ExpiresAt),
                ("enrolled", File.Exists(Path.Combine(cli.Home, "credential.cbor"))),
            ]);
            return ExitCode.Ok;
        }, ct));

        var rotate = new Command("rotate", "Replace the primary key (the change is signed by both keys) and publish it to the silo");
        rotate.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            await using var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
            var rotated = await node.RotateAsync(token).ConfigureAwait(false);
            cli.Report("identity rotated", [("identifier", rotated.Identifier), ("changes", rotated.History.Changes.Count)]);
            return ExitCode.Ok;
        }, ct));

        var revoke = new Command("revoke", "Revoke this identity for good and tell the silo (its credentials are revoked too)");
        revoke.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            await using var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
            await node.RevokeAsync(token).ConfigureAwait(false);
            cli.Report("identity revoked", [("identifier", node.Identifier), ("revoked", true)]);
            return ExitCode.Ok;
        }, ct));

        return new Command("identity", "This node's identity: a key lineage with signed changes") { create, show, rotate, revoke };
    }
}
