namespace Ockam.Load;

/// <summary>One measured figure: a value (null when the scenario did not complete) in a unit, and what to know about it.</summary>
internal sealed record Figure(double? Value, string Unit, string? Note = null)
{
    /// <summary>A count as the issue writes it: "10 000".</summary>
    public static string Count(int n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture).Replace(",", " ", StringComparison.Ordinal);

    public static Figure DidNotComplete(string unit, string note) => new(null, unit, note);

    /// <summary>Rates are better higher; times (ms, s) lower.</summary>
    public bool HigherIsBetter => Unit.Contains("/s", StringComparison.Ordinal);

    public string Text => Value is { } v ? Format(v) + " " + Unit : "did not complete";

    private static string Format(double v) => v switch
    {
        >= 100 => v.ToString("N0", System.Globalization.CultureInfo.InvariantCulture).Replace(",", " ", StringComparison.Ordinal),
        >= 10 => v.ToString("F1", System.Globalization.CultureInfo.InvariantCulture),
        _ => v.ToString("F2", System.Globalization.CultureInfo.InvariantCulture),
    };
}
