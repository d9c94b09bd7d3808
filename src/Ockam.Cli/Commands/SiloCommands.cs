using System.CommandLine;
using Ockam.Client.Edge;
using Ockam.Identity.Identities;

namespace Ockam.Cli.Commands;

/// <summary><c>ockam silo set|show</c>: which silo this node talks to, and the identity it must prove.</summary>
internal static class SiloCommands
{
    public static Command Build()
    {
        var address = new Argument<string>("address") { Description = "The silo's edge gateway, host:port; for a cluster, every silo's, separated by commas (tried in turn)" };
        var identifier = new Argument<string>("identifier") { Description = "The silo's identifier, as it prints at start" };
        var set = new Command("set", "Set the silo (its identifier is pinned: channels to anything else are refused)") { address, identifier };
        set.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            var id = result.GetValue(identifier)!;
            if (!Identifier.TryParse(id, out _))
            {
                throw new CliException(ExitCode.Usage, $"'{id}' is not an identifier (I followed by 64 hex digits)");
            }

            var given = result.GetValue(address)!;
            try
            {
                SiloAddresses.Parse(given);
            }
            catch (FormatException e)
            {
                throw new CliException(ExitCode.Usage, e.Message);
            }

            var settings = new SiloSettings(given, id);
            await settings.SaveAsync(cli.Home, token).ConfigureAwait(false);
            cli.Report("silo", [("address", settings.Address), ("identifier", settings.Identifier)]);
            return ExitCode.Ok;
        }, ct));

        var show = new Command("show", "Show the silo settings");
        show.SetAction((result, ct) => CliContext.RunAsync(result, (cli, _) =>
        {
            var settings = SiloSettings.Load(cli.Home) ?? throw new CliException(ExitCode.NotConfigured, "no silo configured: run `ockam silo set <host:port> <silo identifier>`");
            cli.Report("silo", [("address", settings.Address), ("identifier", settings.Identifier)]);
            return Task.FromResult(ExitCode.Ok);
        }, ct));

        return new Command("silo", "The silo this node connects to") { set, show };
    }
}
