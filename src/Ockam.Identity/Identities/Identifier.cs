using System.Diagnostics.CodeAnalysis;
using Ockam.Identity.Encoding;

namespace Ockam.Identity.Identities;

/// <summary>
/// An identity's name: <c>I</c> followed by the 64 lowercase hex digits of the SHA-256 of its first
/// change's data. It never changes across rotations.
/// </summary>
public sealed record Identifier
{
    public const int HashLength = 32;
    private const int TextLength = 1 + (2 * HashLength);

    private Identifier(string value) => Value = value;

    /// <summary>The text form, <c>I</c> + 64 lowercase hex digits.</summary>
    public string Value { get; }

    public static Identifier FromHash(ReadOnlySpan<byte> hash) =>
        hash.Length == HashLength
            ? new Identifier("I" + Convert.ToHexStringLower(hash))
            : throw new ArgumentException($"an identifier is a {HashLength}-byte hash", nameof(hash));

    public static Identifier Parse(string text) =>
        TryParse(text, out var identifier) ? identifier : throw new FormatException($"'{text}' is not an identifier (I + 64 lowercase hex digits)");

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Identifier? identifier)
    {
        identifier = null;
        if (text is not { Length: TextLength } || text[0] != 'I')
        {
            return false;
        }

        foreach (var c in text.AsSpan(1))
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        identifier = new Identifier(text);
        return true;
    }

    public byte[] ToBytes() => Convert.FromHexString(Value.AsSpan(1));

    public override string ToString() => Value;

    internal static Identifier Read(CborDecoder decoder) => FromHash(decoder.ReadFixedBytes(HashLength));
}
