using System.Security.Cryptography;

namespace Ockam.Identity.Vault;

/// <summary>
/// Ed25519 and X25519 from libsodium through Geralt, whose calls take spans and keep no state: keys stay in the
/// vault's pinned buffers. (NSec was measured too: its X25519 costs 5 times Geralt's, for the guarded memory it
/// allocates per shared secret; docs/identity.md, "Vault".)
/// </summary>
internal sealed class SodiumCurve25519 : ICurve25519
{
    public static readonly SodiumCurve25519 Instance = new();

    private SodiumCurve25519()
    {
    }

    public void Ed25519PublicKey(ReadOnlySpan<byte> seed, Span<byte> publicKey)
    {
        Span<byte> keyPair = stackalloc byte[Geralt.Ed25519.PrivateKeySize];
        try
        {
            Geralt.Ed25519.GenerateKeyPair(publicKey, keyPair, seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyPair);
        }
    }

    public void X25519PublicKey(ReadOnlySpan<byte> scalar, Span<byte> publicKey) => Geralt.X25519.ComputePublicKey(publicKey, scalar);

    public void Sign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        // libsodium's secret key is seed ‖ public key; made on the stack for the call and wiped after it.
        Span<byte> keyPair = stackalloc byte[Geralt.Ed25519.PrivateKeySize];
        try
        {
            seed.CopyTo(keyPair);
            publicKey.CopyTo(keyPair[seed.Length..]);
            Geralt.Ed25519.Sign(signature, message, keyPair);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyPair);
        }
    }

    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        Geralt.Ed25519.Verify(signature, message, publicKey);

    public bool TryAgree(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> peerPublicKey, Span<byte> shared)
    {
        try
        {
            Geralt.X25519.ComputeSharedSecret(shared, scalar, peerPublicKey);
            return true;
        }
        catch (CryptographicException)
        {
            // libsodium refuses a small-order peer key (whose result would be all zero).
            return false;
        }
    }
}
