using System.Text;

namespace Ockam.Load;

/// <summary>Figures by shape, ours and the reference's (Mosquitto), in the order they were first recorded.</summary>
internal sealed class Results
{
    private readonly List<string> shapes = [];
    private readonly Dictionary<string, Figure> ours = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Figure> reference = new(StringComparer.Ordinal);
    private readonly List<string> notes = [];

    public void Ours(string shape, Figure figure) => Add(ours, shape, figure);

    public void Reference(string shape, Figure figure) => Add(reference, shape, figure);

    public void Note(string note)
    {
        lock (notes)
        {
            notes.Add(note);
        }
    }

    private void Add(Dictionary<string, Figure> into, string shape, Figure figure)
    {
        lock (shapes)
        {
            if (!shapes.Contains(shape))
            {
                shapes.Add(shape);
            }

            into[shape] = figure;
        }
    }

    /// <summary>A markdown table: shape, Ockam.NET, Mosquitto QoS 1, ratio (ours ÷ Mosquitto's for rates, Mosquitto's ÷ ours for times: above 1 is better).</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| figure | Ockam.NET | Mosquitto QoS 1 | ratio | note |");
        text.AppendLine("|---|---:|---:|---:|---|");
        lock (shapes)
        {
            foreach (var shape in shapes)
            {
                var mine = ours.GetValueOrDefault(shape);
                var theirs = reference.GetValueOrDefault(shape);
                var ratio = mine?.Value is { } a && theirs?.Value is { } b && a > 0 && b > 0
                    ? (mine.HigherIsBetter ? a / b : b / a).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)
                    : "—";
                var note = string.Join("; ", new[] { mine?.Note, theirs?.Note is { } n ? "Mosquitto: " + n : null }.Where(s => !string.IsNullOrEmpty(s)));
                text.AppendLine($"| {shape} | {mine?.Text ?? "not run"} | {theirs?.Text ?? "—"} | {ratio} | {note} |");
            }
        }

        lock (notes)
        {
            if (notes.Count > 0)
            {
                text.AppendLine();
                foreach (var note in notes)
                {
                    text.AppendLine("- " + note);
                }
            }
        }

        return text.ToString();
    }
}
