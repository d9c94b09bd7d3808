using System.Globalization;

namespace Ockam.Identity.Policies;

/// <summary>
/// Evaluates in Kleene's three-valued logic: a comparison that reads a missing attribute, or compares
/// values it cannot, is Unknown, and only a definite True allows. So <c>(not (= subject.x "a"))</c>
/// does not allow a subject that lacks <c>x</c>: anything unknown is deny.
/// </summary>
internal static class PolicyEvaluator
{
    public enum Truth
    {
        False,
        True,
        Unknown,
    }

    public static Truth Evaluate(PolicyExpression expression, PolicyInput input) => expression switch
    {
        LiteralExpression { Value: bool b } => b ? Truth.True : Truth.False,
        CallExpression call => EvaluateCall(call, input),
        _ => Truth.Unknown,
    };

    private static Truth EvaluateCall(CallExpression call, PolicyInput input)
    {
        var args = call.Arguments;
        switch (call.Operator)
        {
            case PolicyOperator.And:
                var and = Truth.True;
                foreach (var arg in args)
                {
                    var t = Evaluate(arg, input);
                    if (t == Truth.False)
                    {
                        return Truth.False;
                    }

                    and = t == Truth.Unknown ? Truth.Unknown : and;
                }

                return and;
            case PolicyOperator.Or:
                var or = Truth.False;
                foreach (var arg in args)
                {
                    var t = Evaluate(arg, input);
                    if (t == Truth.True)
                    {
                        return Truth.True;
                    }

                    or = t == Truth.Unknown ? Truth.Unknown : or;
                }

                return or;
            case PolicyOperator.Not:
                return Evaluate(args[0], input) switch
                {
                    Truth.True => Truth.False,
                    Truth.False => Truth.True,
                    _ => Truth.Unknown,
                };
            case PolicyOperator.Exists:
                var attribute = (AttributeExpression)args[0];
                return input.Exists(attribute.Scope, attribute.Name) ? Truth.True : Truth.False;
            case PolicyOperator.In:
                var needle = Resolve(args[0], input);
                if (needle is null)
                {
                    return Truth.Unknown;
                }

                return ((ListExpression)args[1]).Items.Any(item => AreEqual(needle, item.Value)) ? Truth.True : Truth.False;
            case PolicyOperator.Equal or PolicyOperator.NotEqual:
                var (left, right) = (Resolve(args[0], input), Resolve(args[1], input));
                if (left is null || right is null)
                {
                    return Truth.Unknown;
                }

                return AreEqual(left, right) == (call.Operator == PolicyOperator.Equal) ? Truth.True : Truth.False;
            default:
                var (a, b) = (AsInteger(Resolve(args[0], input)), AsInteger(Resolve(args[1], input)));
                if (a is null || b is null)
                {
                    return Truth.Unknown;
                }

                var result = call.Operator switch
                {
                    PolicyOperator.Less => a < b,
                    PolicyOperator.LessOrEqual => a <= b,
                    PolicyOperator.Greater => a > b,
                    _ => a >= b,
                };
                return result ? Truth.True : Truth.False;
        }
    }

    private static object? Resolve(PolicyExpression expression, PolicyInput input) => expression switch
    {
        LiteralExpression literal => literal.Value,
        AttributeExpression attribute => input.Get(attribute.Scope, attribute.Name),
        _ => null,
    };

    /// <summary>Attributes are text; a text compared with an integer or boolean is read as one, strictly.</summary>
    private static bool AreEqual(object left, object right) => (left, right) switch
    {
        (string l, string r) => string.Equals(l, r, StringComparison.Ordinal),
        (long l, long r) => l == r,
        (bool l, bool r) => l == r,
        (string s, long n) => AsInteger(s) == n,
        (long n, string s) => AsInteger(s) == n,
        (string s, bool b) => s == (b ? "true" : "false"),
        (bool b, string s) => s == (b ? "true" : "false"),
        _ => false,
    };

    private static long? AsInteger(object? value) => value switch
    {
        long n => n,
        // Canonical decimal only ("007" or "+7" are not 7), so that equal numbers have one spelling.
        string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n.ToString(CultureInfo.InvariantCulture) == s => n,
        _ => null,
    };
}
