namespace Ockam.Identity.Encoding;

/// <summary>
/// Immutable bytes compared by content: what records hold instead of <c>byte[]</c>, whose equality is by
/// reference, so that two decodings of the same bytes are equal and nobody can change a signed value in place.
/// </summary>
/// <remarks>
/// Equality is not constant-time: it is for public values (keys, signatures, encodings). Compare secrets,
/// and anything an attacker probes byte by byte, with <c>CryptographicOperations.FixedTimeEquals</c>.
/// </remarks>
public readonly struct ByteString : IEquatable<ByteString>
{
    private readonly byte[]? bytes;

    private ByteString(byte[] bytes) => this.bytes = bytes;

    public int Length => bytes?.Length ?? 0;

    public bool IsEmpty => Length == 0;

    public static implicit operator ReadOnlySpan<byte>(ByteString value) => value.AsSpan();

    public static bool operator ==(ByteString left, ByteString right) => left.Equals(right);

    public static bool operator !=(ByteString left, ByteString right) => !left.Equals(right);

    public static ByteString CopyFrom(ReadOnlySpan<byte> bytes) => new(bytes.ToArray());

    public ReadOnlySpan<byte> AsSpan() => bytes;

    public ReadOnlyMemory<byte> AsMemory() => bytes;

    public byte[] ToArray() => AsSpan().ToArray();

    public bool Equals(ByteString other) => AsSpan().SequenceEqual(other.AsSpan());

    public override bool Equals(object? obj) => obj is ByteString other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(AsSpan());
        return hash.ToHashCode();
    }

    public override string ToString() => Convert.ToHexStringLower(AsSpan());

    /// <summary>Takes <paramref name="bytes"/> without a copy: only for a fresh array that nothing else holds.</summary>
    internal static ByteString Own(byte[] bytes) => new(bytes);
}
