using Ockam.Client.Cli;
using Ockam.Client.Edge;
using Ockam.Messaging.Api;

namespace Ockam.Client.Tests;

/// <summary>What <c>ockam room listen</c> prints and keeps: a member's text cannot drive the terminal, and progress is never ahead of its file.</summary>
public sealed class RoomOutputTests
{
    [Fact]
    public void A_members_control_characters_are_printed_as_escapes_so_it_cannot_inject_terminal_sequences()
    {
        Assert.Equal(@"\u001b[2J\u001b]0;owned\u0007 hi\u000d\u000afake\u009b31m ok é", TerminalText.Escape("\u001b[2J\u001b]0;owned\u0007 hi\r\nfake\u009b31m ok é"));
        Assert.Equal("plain text, unchanged", TerminalText.Escape("plain text, unchanged"));
    }

    [Fact]
    public async Task Progress_whose_write_failed_is_not_kept_in_memory()
    {
        using var home = new Ockam.Silo.Tests.Support.TempDirectory();
        var directory = Path.Combine(home.Path, "node");
        Directory.CreateDirectory(directory);
        var progress = new RoomProgress(Path.Combine(directory, "rooms.json"));
        var ward = GroupId.Room("ward");
        var saved = new RoomProgress.Entry(2, 5, 7, 2);
        await progress.SetAsync(ward, saved);

        // The write fails (where its directory was is now a file): what the process sees stays what the file last held.
        Directory.Delete(directory, recursive: true);
        await File.WriteAllTextAsync(directory, "not a directory");
        await Assert.ThrowsAnyAsync<IOException>(() => progress.SetAsync(ward, saved with { NextGeneration = 6 }));
        Assert.Equal(saved, await progress.GetAsync(ward));
    }
}
