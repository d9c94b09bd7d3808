using System.Globalization;
using System.Text;

namespace Ockam.Identity.Policies;

/// <summary>
/// Recursive-descent parser for the policy S-expressions, bounded in size and depth, type-checked
/// as it goes so that a policy that parses can always be evaluated.
/// </summary>
internal sealed class PolicyParser
{
    public const int MaxLength = 4 * 1024;
    public const int MaxDepth = 16;
    public const int MaxListItems = 64;

    private static readonly Dictionary<string, PolicyOperator> Operators = new(StringComparer.Ordinal)
    {
        ["and"] = PolicyOperator.And,
        ["or"] = PolicyOperator.Or,
        ["not"] = PolicyOperator.Not,
        ["="] = PolicyOperator.Equal,
        ["!="] = PolicyOperator.NotEqual,
        ["<"] = PolicyOperator.Less,
        ["<="] = PolicyOperator.LessOrEqual,
        [">"] = PolicyOperator.Greater,
        [">="] = PolicyOperator.GreaterOrEqual,
        ["in"] = PolicyOperator.In,
        ["exists?"] = PolicyOperator.Exists,
    };

    private readonly string text;
    private int position;
    private int depth;

    private PolicyParser(string text) => this.text = text;

    public static PolicyExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new PolicyParser(text);
        if (text.Length > MaxLength)
        {
            throw parser.Error($"policy longer than {MaxLength} characters", MaxLength);
        }

        var expression = parser.ParseBoolean();
        parser.SkipWhitespace();
        return parser.position == text.Length ? expression : throw parser.Error("unexpected text after the policy", parser.position);
    }

    private PolicyExpression ParseBoolean()
    {
        SkipWhitespace();
        var start = position;
        var expression = ParseExpression();
        return expression switch
        {
            CallExpression => expression,
            LiteralExpression { Value: bool } => expression,
            _ => throw Error("expected a boolean expression (an operator call, true or false)", start),
        };
    }

    private PolicyExpression ParseValue()
    {
        SkipWhitespace();
        var start = position;
        var expression = ParseExpression();
        return expression is CallExpression ? throw Error("expected a value (an attribute or a constant), not an operator call", start) : expression;
    }

    private PolicyExpression ParseExpression()
    {
        SkipWhitespace();
        if (position >= text.Length)
        {
            throw Error("unexpected end of policy", position);
        }

        return text[position] switch
        {
            '(' => ParseCall(),
            '[' => ParseList(),
            '"' => ParseString(),
            ')' or ']' => throw Error($"unexpected '{text[position]}'", position),
            _ => ParseAtom(),
        };
    }

    private CallExpression ParseCall()
    {
        var start = position;
        Enter(start);
        position++;
        SkipWhitespace();
        var nameStart = position;
        var name = ReadWord();
        if (name.Length == 0)
        {
            throw Error("expected an operator after '('", nameStart);
        }

        if (!Operators.TryGetValue(name, out var op))
        {
            throw Error($"unknown operator '{name}'", nameStart);
        }

        var arguments = new List<PolicyExpression>();
        while (true)
        {
            SkipWhitespace();
            if (position >= text.Length)
            {
                throw Error($"unclosed '(' of '{name}'", start);
            }

            if (text[position] == ')')
            {
                position++;
                break;
            }

            if (arguments.Count >= MaxListItems)
            {
                throw Error($"more than {MaxListItems} arguments", position);
            }

            arguments.Add(op is PolicyOperator.And or PolicyOperator.Or or PolicyOperator.Not ? ParseBoolean() : ParseValue());
        }

        CheckArguments(op, name, arguments, start);
        depth--;
        return new CallExpression(op, arguments, start);
    }

    private void CheckArguments(PolicyOperator op, string name, List<PolicyExpression> arguments, int start)
    {
        var (min, max) = op switch
        {
            PolicyOperator.And or PolicyOperator.Or => (1, MaxListItems),
            PolicyOperator.Not or PolicyOperator.Exists => (1, 1),
            _ => (2, 2),
        };
        if (arguments.Count < min || arguments.Count > max)
        {
            throw Error(min == max ? $"'{name}' takes {min} argument{(min == 1 ? "" : "s")}, not {arguments.Count}" : $"'{name}' takes at least {min} argument", start);
        }

        if (op == PolicyOperator.Exists && arguments[0] is not AttributeExpression)
        {
            throw Error("'exists?' takes an attribute", arguments[0].Position);
        }

        if (op == PolicyOperator.In && arguments[1] is not ListExpression)
        {
            throw Error("'in' takes a value and a list [...]", arguments[1].Position);
        }

        if (op != PolicyOperator.In && arguments.FirstOrDefault(a => a is ListExpression) is { } list)
        {
            throw Error($"a list cannot be an argument of '{name}'", list.Position);
        }

        if (op is >= PolicyOperator.Less and <= PolicyOperator.GreaterOrEqual && arguments.FirstOrDefault(a => a is LiteralExpression { Value: not long }) is { } bad)
        {
            throw Error($"'{name}' compares integers", bad.Position);
        }
    }

    private ListExpression ParseList()
    {
        var start = position;
        Enter(start);
        position++;
        var items = new List<LiteralExpression>();
        while (true)
        {
            SkipWhitespace();
            if (position >= text.Length)
            {
                throw Error("unclosed '['", start);
            }

            if (text[position] == ']')
            {
                position++;
                break;
            }

            if (items.Count >= MaxListItems)
            {
                throw Error($"more than {MaxListItems} list items", position);
            }

            var itemStart = position;
            items.Add(ParseExpression() as LiteralExpression ?? throw Error("lists hold constants only", itemStart));
        }

        depth--;
        return new ListExpression(items, start);
    }

    private LiteralExpression ParseString()
    {
        var start = position++;
        var builder = new StringBuilder();
        while (true)
        {
            if (position >= text.Length)
            {
                throw Error("unterminated string", start);
            }

            var c = text[position++];
            if (c == '"')
            {
                return new LiteralExpression(builder.ToString(), start);
            }

            if (c == '\\')
            {
                if (position >= text.Length || text[position] is not ('"' or '\\'))
                {
                    throw Error("only \\\" and \\\\ are escapes", position - 1);
                }

                c = text[position++];
            }
            else if (char.IsControl(c))
            {
                throw Error("control character in string", position - 1);
            }

            builder.Append(c);
        }
    }

    private PolicyExpression ParseAtom()
    {
        var start = position;
        var word = ReadWord();
        if (word.Length == 0)
        {
            throw Error($"unexpected character '{text[position]}'", position);
        }

        switch (word)
        {
            case "true":
                return new LiteralExpression(true, start);
            case "false":
                return new LiteralExpression(false, start);
        }

        if (char.IsAsciiDigit(word[0]) || word[0] == '-')
        {
            return long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                ? new LiteralExpression(number, start)
                : throw Error($"'{word}' is not a 64-bit integer", start);
        }

        var dot = word.IndexOf('.', StringComparison.Ordinal);
        AttributeScope? scope = dot < 0 ? null : word[..dot] switch
        {
            "subject" => AttributeScope.Subject,
            "resource" => AttributeScope.Resource,
            "action" => AttributeScope.Action,
            _ => null,
        };
        if (scope is null || dot == word.Length - 1)
        {
            throw Error($"'{word}' is not an attribute (subject.*, resource.* or action.*)", start);
        }

        return new AttributeExpression(scope.Value, word[(dot + 1)..], start);
    }

    private string ReadWord()
    {
        var start = position;
        while (position < text.Length && IsWordChar(text[position]))
        {
            position++;
        }

        return text[start..position];
    }

    private static bool IsWordChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '?' or '=' or '!' or '<' or '>' or ':' or '/';

    private void SkipWhitespace()
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }
    }

    private void Enter(int at)
    {
        if (++depth > MaxDepth)
        {
            throw Error($"nested deeper than {MaxDepth}", at);
        }
    }

    private PolicyParseException Error(string message, int at)
    {
        at = Math.Clamp(at, 0, text.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < at; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new PolicyParseException(message, at, line, at - lineStart + 1);
    }
}
