namespace Ockam.Identity.Policies;

/// <summary>A parsed policy expression. Boolean expressions are calls of logical or comparison operators.</summary>
internal abstract record PolicyExpression(int Position);

/// <summary>A string, integer or boolean constant.</summary>
internal sealed record LiteralExpression(object Value, int Position) : PolicyExpression(Position);

/// <summary>A list of constants, the right-hand side of <c>in</c>.</summary>
internal sealed record ListExpression(IReadOnlyList<LiteralExpression> Items, int Position) : PolicyExpression(Position);

/// <summary><c>subject.name</c>, <c>resource.name</c> or <c>action.name</c>.</summary>
internal sealed record AttributeExpression(AttributeScope Scope, string Name, int Position) : PolicyExpression(Position);

internal sealed record CallExpression(PolicyOperator Operator, IReadOnlyList<PolicyExpression> Arguments, int Position) : PolicyExpression(Position);

internal enum AttributeScope
{
    Subject,
    Resource,
    Action,
}

internal enum PolicyOperator
{
    And,
    Or,
    Not,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    In,
    Exists,
}
