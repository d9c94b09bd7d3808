using Ockam.Cli;

namespace Ockam.Client.Tests;

/// <summary>What <c>ockam room listen</c> prints: a member's text cannot drive the terminal.</summary>
public sealed class RoomOutputTests
{
    [Fact]
    public void A_members_control_characters_are_printed_as_escapes_so_it_cannot_inject_terminal_sequences()
    {
        Assert.Equal(@"\u001b[2J\u001b]0;owned\u0007 hi\u000d\u000afake\u009b31m ok é", TerminalText.Escape("\u001b[2J\u001b]0;owned\u0007 hi\r\nfake\u009b31m ok é"));
        Assert.Equal("plain text, unchanged", TerminalText.Escape("plain text, unchanged"));
    }
}
