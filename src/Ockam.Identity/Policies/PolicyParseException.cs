namespace Ockam.Identity.Policies;

/// <summary>A policy's text is not a valid policy; <see cref="Position"/> is the 0-based character offset of the fault.</summary>
public sealed class PolicyParseException : Exception
{
    public PolicyParseException(string message, int position, int line, int column)
        : base($"{message} at line {line}, column {column}")
    {
        Position = position;
        Line = line;
        Column = column;
    }

    public int Position { get; }

    public int Line { get; }

    public int Column { get; }
}
