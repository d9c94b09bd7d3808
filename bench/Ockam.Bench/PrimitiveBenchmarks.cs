using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Ockam.Identity.Vault;

namespace Ockam.Bench;

/// <summary>
/// The vault's primitives, each the counterpart of an <c>openssl speed</c> figure that bench/run.sh
/// measures in the same run: AES-256-GCM over 1 KiB, X25519, Ed25519 sign and verify. The Curve25519 operations
/// run through a vault of each provider; AES-GCM (.NET's in both) through the vault and through .NET's
/// <see cref="AesGcm"/> alone, so that what the vault adds shows. Verification cycles through more distinct signatures
/// than the vault remembers (<see cref="VerifiedSignatures"/>), so that each is verified, not looked up; a separate
/// figure verifies one signature again and again, as a peer's reconnects do.
/// </summary>
[MemoryDiagnoser]
public class PrimitiveBenchmarks : IDisposable
{
    private readonly Curve sodium = new(Curve25519Provider.Libsodium);
    private readonly Curve bouncyCastle = new(Curve25519Provider.BouncyCastle);
    private readonly byte[] plaintext = new byte[1024];
    private readonly byte[] ciphertext = new byte[1024 + Aead.TagSize];
    private readonly byte[] nonce = new byte[Aead.NonceSize];
    private AesGcm alone = null!;
    private KeyHandle aes = null!;

    [GlobalSetup]
    public void Setup()
    {
        aes = sodium.Vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral).AsTask().GetAwaiter().GetResult();
        alone = new AesGcm(RandomNumberGenerator.GetBytes(32), Aead.TagSize);
    }

    [Benchmark]
    public void AesGcmSeal1KiB() => sodium.Vault.Encrypt(aes, nonce, plaintext, [], ciphertext);

    [Benchmark]
    public void AesGcmAlone1KiB() => alone.Encrypt(nonce, plaintext, ciphertext.AsSpan(0, plaintext.Length), ciphertext.AsSpan(plaintext.Length), []);

    [Benchmark]
    public void X25519Libsodium() => sodium.DiffieHellman();

    [Benchmark]
    public void X25519BouncyCastle() => bouncyCastle.DiffieHellman();

    [Benchmark]
    public byte[] Ed25519SignLibsodium() => sodium.Sign();

    [Benchmark]
    public byte[] Ed25519SignBouncyCastle() => bouncyCastle.Sign();

    [Benchmark]
    public bool Ed25519VerifyLibsodium() => sodium.Verify();

    [Benchmark]
    public bool Ed25519VerifyBouncyCastle() => bouncyCastle.Verify();

    [Benchmark]
    public bool Ed25519VerifyRemembered() => sodium.VerifyRemembered();

    public void Dispose()
    {
        sodium.Vault.Dispose();
        bouncyCastle.Vault.Dispose();
        alone?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A vault of one provider with its keys made: the operations measured, as the channel performs them.</summary>
    private sealed class Curve
    {
        /// <summary>More than the vault's two generations of remembered signatures hold, so a cycle through them always misses.</summary>
        private const int Signatures = (2 * VerifiedSignatures.DefaultCapacity) + 1_000;

        private readonly byte[] message = new byte[64];
        private readonly KeyHandle x25519;
        private readonly KeyHandle ed25519;
        private readonly byte[] peer;
        private readonly byte[][] messages = new byte[Signatures][];
        private readonly byte[][] signatures = new byte[Signatures][];
        private readonly byte[] verifyingKey;
        private int next;

        public Curve(Curve25519Provider provider)
        {
            Vault = new SoftwareVault(provider);
            x25519 = Vault.ImportEphemeralKey(KeyType.X25519, RandomNumberGenerator.GetBytes(32));
            ed25519 = Vault.ImportEphemeralKey(KeyType.Ed25519, RandomNumberGenerator.GetBytes(32));
            peer = Vault.GetPublicKey(Vault.ImportEphemeralKey(KeyType.X25519, RandomNumberGenerator.GetBytes(32)));
            verifyingKey = Vault.GetPublicKey(ed25519);
            for (var i = 0; i < Signatures; i++)
            {
                messages[i] = RandomNumberGenerator.GetBytes(64);
                signatures[i] = Vault.Sign(ed25519, messages[i]);
            }
        }

        public SoftwareVault Vault { get; }

        public void DiffieHellman() => Vault.DeleteEphemeralKey(Vault.DiffieHellman(x25519, peer));

        public byte[] Sign() => Vault.Sign(ed25519, message);

        public bool Verify()
        {
            var i = next;
            next = (i + 1) % Signatures;
            return Vault.Verify(verifyingKey, messages[i], signatures[i]);
        }

        public bool VerifyRemembered() => Vault.Verify(verifyingKey, messages[0], signatures[0]);
    }
}
