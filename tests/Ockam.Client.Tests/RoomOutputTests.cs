using Microsoft.Extensions.Logging;
using Ockam.Cli;

namespace Ockam.Client.Tests;

/// <summary>What <c>ockam room listen</c> prints, and the node's warnings: another party's text cannot drive the terminal.</summary>
public sealed class RoomOutputTests
{
    [Fact]
    public void A_members_control_characters_are_printed_as_escapes_so_it_cannot_inject_terminal_sequences()
    {
        Assert.Equal(@"\u001b[2J\u001b]0;owned\u0007 hi\u000d\u000afake\u009b31m ok é", TerminalText.Escape("\u001b[2J\u001b]0;owned\u0007 hi\r\nfake\u009b31m ok é"));
        Assert.Equal("plain text, unchanged", TerminalText.Escape("plain text, unchanged"));
    }

    [Fact]
    public void The_nodes_warnings_quote_what_the_silo_said_as_escapes_and_information_is_not_printed()
    {
        // A warning can carry the silo's error text or a peer's close reason: text the tool's user did not write.
        using var error = new StringWriter();
        var logger = new WarningLog(error).CreateLogger("Ockam.Client.Edge.EdgeNode");
        logger.Log(LogLevel.Warning, default, "reconnecting failed (EdgeException: denied\u001b[2J\r\nfake line)", null, (text, _) => text);
        logger.Log(LogLevel.Information, default, "secure channel open to silo 127.0.0.1:4000", null, (text, _) => text);
        Assert.Equal(@"warning: reconnecting failed (EdgeException: denied\u001b[2J\u000d\u000afake line)" + Environment.NewLine, error.ToString());
    }
}
