using Ockam.Cli;
using Spectre.Console;

namespace Ockam.Client.Tests.Cli;

/// <summary>What a command's table looks like in a narrow terminal.</summary>
public sealed class ReportTableTests
{
    private const string Identifier = "I9c4b1e0f5d6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f";

    [Theory]
    [InlineData(40)]
    [InlineData(80)]
    [InlineData(200)]
    public void Field_names_and_values_are_never_broken_over_lines_or_cut(int width)
    {
        var text = Write(width, [("identifier", Identifier), ("key expires", "2027-12-01 00:00:00Z"), ("enrolled", true)]);

        Assert.Contains(Identifier, text, StringComparison.Ordinal);
        Assert.Contains("key expires", text, StringComparison.Ordinal);
        Assert.Contains("2027-12-01 00:00:00Z", text, StringComparison.Ordinal);
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= width || line.Contains(Identifier, StringComparison.Ordinal), line));
    }

    [Fact]
    public void A_record_that_fits_is_a_table()
    {
        var text = Write(80, [("enrolled", true), ("key expires", "2027-12-01 00:00:00Z")]);

        Assert.Contains("│ key expires │ 2027-12-01 00:00:00Z │", text, StringComparison.Ordinal);
    }

    private static string Write(int width, IReadOnlyList<(string, object?)> fields)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = width;
        console.Profile.Capabilities.Unicode = true;
        CliContext.Table(console, "identity", fields);
        return output.ToString();
    }
}
