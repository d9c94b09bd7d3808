namespace Ockam.Identity.Policies;

/// <summary>
/// An attribute-based access policy, e.g. <c>(and (= subject.ockam.role "sensor") (= resource.topic "heart-rate"))</c>.
/// Parsed once; evaluation allows only when the expression is definitely true (default deny).
/// </summary>
public sealed class Policy
{
    private readonly PolicyExpression expression;

    private Policy(string source, PolicyExpression expression)
    {
        Source = source;
        this.expression = expression;
    }

    /// <summary>A policy that allows nothing.</summary>
    public static Policy DenyAll { get; } = Parse("false");

    public string Source { get; }

    /// <exception cref="PolicyParseException">The text is not a valid policy; the exception says where.</exception>
    public static Policy Parse(string source) => new(source, PolicyParser.Parse(source));

    public bool Allows(PolicyInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return PolicyEvaluator.Evaluate(expression, input) == PolicyEvaluator.Truth.True;
    }

    public override string ToString() => Source;
}
