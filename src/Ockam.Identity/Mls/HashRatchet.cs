using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// One ratchet of one leaf of the secret tree (RFC 9420 §9.1):
/// <code>
/// ratchet_key_[i]_[j]      = DeriveTreeSecret(ratchet_secret_[i]_[j], "key",    j, AEAD.Nk)
/// ratchet_nonce_[i]_[j]    = DeriveTreeSecret(ratchet_secret_[i]_[j], "nonce",  j, AEAD.Nn)
/// ratchet_secret_[i]_[j+1] = DeriveTreeSecret(ratchet_secret_[i]_[j], "secret", j, KDF.Nh)
/// </code>
/// It only moves forward, deleting each ratchet secret once it has derived the next (§9.2), so a
/// generation's key can be had once. Keys of generations skipped on the way are deleted too: keeping
/// them for out-of-order messages is not implemented yet.
/// </summary>
internal sealed class HashRatchet : IDisposable
{
    /// <summary>How far ahead of its current generation a ratchet may be moved in one call: bounds the work a forged generation can cause.</summary>
    public const uint MaxForwardDistance = 1000;

    private readonly IVault vault;
    private readonly CipherSuite suite;
    private KeyHandle? secret;

    /// <summary>Starts at generation 0 with <paramref name="secret"/>, which the ratchet now owns.</summary>
    public HashRatchet(IVault vault, CipherSuite suite, KeyHandle secret)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(secret);
        this.vault = vault;
        this.suite = suite;
        this.secret = secret;
    }

    /// <summary>The generation j of the ratchet secret held: the lowest generation whose key can still be had.</summary>
    public uint Generation { get; private set; }

    /// <summary>The key and nonce of the next generation, moving the ratchet past it.</summary>
    public KeyAndNonce Next() => KeyAndNonceFor(Generation);

    /// <summary>The key and nonce of <paramref name="generation"/>, moving the ratchet past it (and past any generation skipped).</summary>
    /// <exception cref="MlsCryptoException">The generation was consumed already, is further ahead than <see cref="MaxForwardDistance"/>, or the ratchet is exhausted.</exception>
    public KeyAndNonce KeyAndNonceFor(uint generation)
    {
        var current = secret ?? throw new ObjectDisposedException(nameof(HashRatchet));
        if (generation < Generation)
        {
            throw new MlsCryptoException($"generation {generation} was consumed already (the ratchet is at {Generation})");
        }

        if (generation - Generation > MaxForwardDistance)
        {
            throw new MlsCryptoException($"generation {generation} is more than {MaxForwardDistance} ahead of {Generation}");
        }

        if (generation == uint.MaxValue)
        {
            throw new MlsCryptoException("the ratchet's generations are exhausted");
        }

        while (Generation < generation)
        {
            current = Advance(current);
        }

        var key = KeyDerivation.DeriveTreeSecret(vault, current, "key", generation, suite.AeadKeySpec);
        var nonce = KeyDerivation.DeriveTreeSecretToBytes(vault, current, "nonce", generation, suite.Nn);
        Advance(current);
        return new KeyAndNonce(key, nonce, generation);
    }

    public void Dispose()
    {
        if (secret is not null)
        {
            vault.DeleteEphemeralKey(secret);
            secret = null;
        }
    }

    // ratchet_secret_[i]_[j+1] replaces ratchet_secret_[i]_[j], which is deleted.
    private KeyHandle Advance(KeyHandle current)
    {
        var next = KeyDerivation.DeriveTreeSecret(vault, current, "secret", Generation, suite.SecretSpec);
        vault.DeleteEphemeralKey(current);
        secret = next;
        Generation++;
        return next;
    }
}
