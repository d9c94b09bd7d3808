using System.CommandLine;
using Ockam.Identity.Credentials;
using Ockam.Messaging.Api;

namespace Ockam.Cli.Commands;

/// <summary><c>ockam token create</c>, <c>ockam enroll</c>, <c>ockam credential show</c>.</summary>
internal static class EnrollmentCommands
{
    public static Command Token()
    {
        var attribute = new Option<string[]>("--attribute", "-a")
        {
            Description = "An attribute the token grants, name=value (repeatable)",
            AllowMultipleArgumentsPerToken = false,
            Required = true,
        };
        var validFor = new Option<int>("--valid-for") { Description = "Seconds the token stays valid", DefaultValueFactory = _ => 3600 };
        var uses = new Option<int>("--uses") { Description = "How many distinct identities may enrol with it", DefaultValueFactory = _ => 1 };
        var create = new Command("create", "Create an enrolment token (admins, and enrollers within their delegation)") { attribute, validFor, uses };
        create.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in result.GetValue(attribute)!)
            {
                var split = pair.IndexOf('=', StringComparison.Ordinal);
                if (split <= 0)
                {
                    throw new CliException(ExitCode.Usage, $"'{pair}' is not name=value");
                }

                attributes[pair[..split]] = pair[(split + 1)..];
            }

            if (result.GetValue(uses) < 1)
            {
                throw new CliException(ExitCode.Usage, "--uses is at least 1");
            }

            await using var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
            var created = await node.CreateTokenAsync(attributes, TimeSpan.FromSeconds(result.GetValue(validFor)), result.GetValue(uses), token).ConfigureAwait(false);
            var silo = SiloSettings.Load(cli.Home)!;
            var ticket = new EnrollmentTicket(silo.Address, silo.ParsedIdentifier, created);
            cli.Report("token", [("token", created), ("ticket", ticket), ("valid for", $"{result.GetValue(validFor)} s"), ("uses", result.GetValue(uses)), ("attributes", attributes.Select(a => $"{a.Key}={a.Value}"))]);
            return ExitCode.Ok;
        }, ct));

        return new Command("token", "Enrolment tokens") { create };
    }

    public static Command Enroll()
    {
        var token = new Argument<string>("ticket") { Description = "An enrolment ticket (sets the silo too), or a bare one-time token" };
        var enroll = new Command("enroll", "Enrol this node with the silo's authority and keep the credential") { token };
        enroll.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, cancellation) =>
        {
            var given = result.GetValue(token)!;
            if (EnrollmentTicket.TryParse(given, out var ticket))
            {
                await new SiloSettings(ticket.Silo, ticket.SiloIdentifier.ToString()).SaveAsync(cli.Home, cancellation).ConfigureAwait(false);
                given = ticket.Token;
            }

            await using var node = await cli.OpenEdgeAsync(cancellation).ConfigureAwait(false);
            var credential = await node.EnrollAsync(given, cancellation).ConfigureAwait(false);
            Show(cli, "enrolled", credential);
            return ExitCode.Ok;
        }, ct));
        return enroll;
    }

    public static Command Credential()
    {
        var show = new Command("show", "Show this node's credential");
        show.SetAction((result, ct) => CliContext.RunAsync(result, (cli, _) =>
        {
            var path = Path.Combine(cli.Home, "credential.cbor");
            if (!File.Exists(path))
            {
                throw new CliException(ExitCode.NotConfigured, "no credential: run `ockam enroll <token>`");
            }

            Show(cli, "credential", CredentialPresentation.Decode(File.ReadAllBytes(path)));
            return Task.FromResult(ExitCode.Ok);
        }, ct));
        return new Command("credential", "This node's credential") { show };
    }

    private static void Show(CliContext cli, string title, CredentialPresentation credential)
    {
        var data = credential.Credential.Data;
        cli.Report(title, [
            ("subject", data.Subject),
            ("issuer", data.Issuer),
            ("serial", data.Serial),
            ("expires", data.ExpiresAt),
            ("attributes", data.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={System.Text.Encoding.UTF8.GetString(a.Value)}")),
        ]);
    }
}
