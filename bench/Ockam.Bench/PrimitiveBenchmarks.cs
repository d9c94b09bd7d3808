using BenchmarkDotNet.Attributes;
using Ockam.Identity.Vault;

namespace Ockam.Bench;

/// <summary>
/// The vault's primitives, each the counterpart of an <c>openssl speed</c> figure that bench/run.sh
/// measures in the same run: AES-256-GCM over 1 KiB, X25519, Ed25519 sign and verify.
/// </summary>
[MemoryDiagnoser]
public class PrimitiveBenchmarks : IDisposable
{
    private readonly SoftwareVault vault = new();
    private readonly byte[] plaintext = new byte[1024];
    private readonly byte[] ciphertext = new byte[1024 + 16];
    private readonly byte[] nonce = new byte[12];
    private readonly byte[] message = new byte[64];
    private KeyHandle aes = null!;
    private KeyHandle x25519 = null!;
    private KeyHandle ed25519 = null!;
    private byte[] peer = null!;
    private byte[] signature = null!;
    private byte[] verifyingKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        aes = vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral).AsTask().GetAwaiter().GetResult();
        x25519 = vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral).AsTask().GetAwaiter().GetResult();
        ed25519 = vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral).AsTask().GetAwaiter().GetResult();
        peer = vault.GetPublicKey(vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral).AsTask().GetAwaiter().GetResult());
        signature = vault.Sign(ed25519, message);
        verifyingKey = vault.GetPublicKey(ed25519);
    }

    [Benchmark]
    public void AesGcmSeal1KiB() => vault.Encrypt(aes, nonce, plaintext, [], ciphertext);

    [Benchmark]
    public void X25519() => vault.DeleteEphemeralKey(vault.DiffieHellman(x25519, peer));

    [Benchmark]
    public byte[] Ed25519Sign() => vault.Sign(ed25519, message);

    [Benchmark]
    public bool Ed25519Verify() => vault.Verify(verifyingKey, message, signature);

    public void Dispose()
    {
        vault.Dispose();
        GC.SuppressFinalize(this);
    }
}
