using Org.BouncyCastle.Math.EC.Rfc7748;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace Ockam.Identity.Vault;

/// <summary>Ed25519 and X25519 from BouncyCastle (managed code).</summary>
internal sealed class BouncyCastleCurve25519 : ICurve25519
{
    public static readonly BouncyCastleCurve25519 Instance = new();

    private BouncyCastleCurve25519()
    {
    }

    public void Ed25519PublicKey(ReadOnlySpan<byte> seed, Span<byte> publicKey) => Ed25519.GeneratePublicKey(seed, publicKey);

    public void X25519PublicKey(ReadOnlySpan<byte> scalar, Span<byte> publicKey) => X25519.GeneratePublicKey(scalar, publicKey);

    public void Sign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, Span<byte> signature) =>
        Ed25519.Sign(seed, publicKey, message, signature);

    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        Ed25519.Verify(signature, publicKey, message);

    // BouncyCastle computes the result and reports whether it is all zero (RFC 7748 §6.1's check).
    public bool TryAgree(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> peerPublicKey, Span<byte> shared) =>
        X25519.CalculateAgreement(scalar, peerPublicKey, shared);
}
