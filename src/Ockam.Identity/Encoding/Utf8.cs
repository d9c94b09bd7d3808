using System.Text;

namespace Ockam.Identity.Encoding;

/// <summary>Strict UTF-8, for text that arrives as bytes outside a CBOR text string.</summary>
public static class Utf8
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes strictly: invalid UTF-8 is null, never replacement characters.</summary>
    public static string? TryDecode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
