using System.CommandLine;
using Ockam.Cli.Commands;

namespace Ockam.Cli;

/// <summary>The <c>ockam</c> command-line tool.</summary>
internal static class OckamCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("ockam: identities, credentials and end-to-end secure messaging through an Ockam.NET silo")
        {
            IdentityCommands.Build(),
            SiloCommands.Build(),
            EnrollmentCommands.Token(),
            EnrollmentCommands.Enroll(),
            EnrollmentCommands.Credential(),
            RelayCommands.Relay(),
            RelayCommands.Send(),
            RelayCommands.Listen(),
            RelayCommands.Channel(),
            RoomCommands.Room(),
            RoomCommands.Topic(),
            PortalCommands.Portal(),
            PortalCommands.Node(),
            StatusCommand.Build(),
        };
        root.Options.Add(CliContext.HomeOption);
        root.Options.Add(CliContext.JsonOption);
        return root;
    }

    public static Task<int> RunAsync(string[] args) => Build().Parse(args).InvokeAsync();
}
