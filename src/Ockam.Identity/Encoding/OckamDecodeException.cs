namespace Ockam.Identity.Encoding;

/// <summary>
/// Thrown by every decoder when its input is malformed, truncated, oversized, non-canonical
/// or of an unknown version. Decoders throw nothing else for bad input.
/// </summary>
public sealed class OckamDecodeException : Exception
{
    public OckamDecodeException(string message)
        : base(message)
    {
    }

    public OckamDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
