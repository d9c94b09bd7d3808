namespace Ockam.Identity.Vault;

/// <summary>
/// The Curve25519 arithmetic a <see cref="SoftwareVault"/> delegates. The vault has checked every length before a
/// call and keeps every rule (an all-zero shared secret is refused there, once for all implementations).
/// </summary>
internal interface ICurve25519
{
    const int KeySize = 32;
    const int SignatureSize = 64;

    /// <summary>The Ed25519 public key of a 32-byte seed (RFC 8032 §5.1.5).</summary>
    void Ed25519PublicKey(ReadOnlySpan<byte> seed, Span<byte> publicKey);

    /// <summary>The X25519 public key of a 32-byte scalar: X25519(k, 9) (RFC 7748 §6.1).</summary>
    void X25519PublicKey(ReadOnlySpan<byte> scalar, Span<byte> publicKey);

    /// <summary>Pure Ed25519 (RFC 8032 §5.1.6); <paramref name="publicKey"/> is the seed's, passed so it is not recomputed.</summary>
    void Sign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, Span<byte> signature);

    /// <summary>Pure Ed25519 verification (RFC 8032 §5.1.7).</summary>
    bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);

    /// <summary>X25519(scalar, peer) into <paramref name="shared"/>; false when the library itself refuses the peer key.</summary>
    bool TryAgree(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> peerPublicKey, Span<byte> shared);
}
