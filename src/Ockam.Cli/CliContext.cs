using System.CommandLine;
using System.Text.Json;
using Ockam.Client.Edge;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Spectre.Console;

namespace Ockam.Cli;

/// <summary>What every command shares: the node's home, the output format, the silo, and how failures become exit codes.</summary>
internal sealed class CliContext(string home, bool json)
{
    public static readonly Option<string?> HomeOption = new("--home")
    {
        Description = "The node's directory (default: $OCKAM_HOME, else ~/.ockam)",
        Recursive = true,
    };

    public static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Print JSON (one object per line) instead of tables",
        Recursive = true,
    };

    public string Home { get; } = home;

    public bool Json { get; } = json;

    public static CliContext From(ParseResult result) =>
        new(result.GetValue(HomeOption) ?? EdgeNodeOptions.DefaultHome(), result.GetValue(JsonOption));

    /// <summary>Runs a command body, turning the ways it can fail into a clear message and an exit code.</summary>
    public static async Task<int> RunAsync(ParseResult result, Func<CliContext, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var context = From(result);
        try
        {
            return await body(context, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            return Fail(e.ExitCode, e.Message);
        }
        catch (EdgeException e)
        {
            return Fail(ExitCode.Refused, $"the silo refused: {e.Status}: {e.Message}");
        }
        catch (NodeHomeInUseException e)
        {
            return Fail(ExitCode.InUse, e.Message);
        }
        catch (HandshakeException e)
        {
            return Fail(ExitCode.Unreachable, $"no secure channel: {e.Error}: {e.Message}");
        }
        catch (TimeoutException)
        {
            return Fail(ExitCode.Unreachable, "no answer from the silo in time");
        }
        catch (RoutingException e)
        {
            return Fail(ExitCode.Unreachable, e.Message);
        }
    }

    public async Task<EdgeNode> OpenEdgeAsync(CancellationToken cancellationToken)
    {
        var silo = SiloSettings.Load(Home)
            ?? throw new CliException(ExitCode.NotConfigured, "no silo configured: run `ockam silo set <host:port> <silo identifier>`");
        try
        {
            return await EdgeNode.OpenAsync(
                new EdgeNodeOptions
                {
                    Home = Home,
                    Silo = silo.Address,
                    SiloIdentifier = silo.ParsedIdentifier,
                    CallTimeout = TimeSpan.FromSeconds(10),
                    LoggerFactory = new WarningLog(Console.Error),
                },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            throw new CliException(ExitCode.NotConfigured, $"the silo's address in silo.json is not usable: {e.Message}; run `ockam silo set <host:port>[,<host:port>...] <silo identifier>`");
        }
    }

    /// <summary>Prints one record: a two-column table, or a JSON object on one line.</summary>
    public void Report(string title, IReadOnlyList<(string Field, object? Value)> fields)
    {
        if (Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(fields.ToDictionary(f => f.Field, f => Text(f.Value)), CliJson.Default.DictionaryStringString));
            return;
        }

        Table(AnsiConsole.Console, title, fields);
    }

    /// <summary>
    /// Writes <paramref name="fields"/> as a two-column table, or, in a terminal too narrow for it, as aligned
    /// <c>field  value</c> lines. Nothing is ever wrapped or cut: identifiers and tickets must stay whole for copying
    /// (a table cell would crop them to the terminal's width), and a field name broken over lines ("key" / "expires")
    /// reads as two fields.
    /// </summary>
    internal static void Table(IAnsiConsole console, string title, IReadOnlyList<(string Field, object? Value)> fields)
    {
        var rows = fields.Select(f => (f.Field, Value: Text(f.Value))).ToList();
        var fieldWidth = rows.Select(r => r.Field.Length).Append("field".Length).Max();
        var valueWidth = rows.Select(r => r.Value.Length).Append("value".Length).Max();

        // "│ field │ value │": four borders and four spaces of padding.
        if (fieldWidth + valueWidth + 7 > console.Profile.Width)
        {
            // Straight to the terminal's writer: the console itself would fold lines at its width.
            var writer = console.Profile.Out.Writer;
            writer.WriteLine(title);
            foreach (var (field, value) in rows)
            {
                writer.WriteLine($"  {field.PadRight(fieldWidth)}  {value}");
            }

            return;
        }

        var table = new Table { Title = new TableTitle(Markup.Escape(title)) }
            .AddColumn(new TableColumn("field").NoWrap())
            .AddColumn(new TableColumn("value").NoWrap());
        foreach (var (field, value) in rows)
        {
            table.AddRow(Markup.Escape(field), Markup.Escape(value));
        }

        console.Write(table);
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        DateTimeOffset time => time.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
        IEnumerable<string> items => string.Join(", ", items),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}
