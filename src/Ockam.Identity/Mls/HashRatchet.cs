using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// One ratchet of one leaf of the secret tree (RFC 9420 §9.1):
/// <code>
/// ratchet_key_[i]_[j]      = DeriveTreeSecret(ratchet_secret_[i]_[j], "key",    j, AEAD.Nk)
/// ratchet_nonce_[i]_[j]    = DeriveTreeSecret(ratchet_secret_[i]_[j], "nonce",  j, AEAD.Nn)
/// ratchet_secret_[i]_[j+1] = DeriveTreeSecret(ratchet_secret_[i]_[j], "secret", j, KDF.Nh)
/// </code>
/// A sender takes its generations in order (<see cref="Next"/>). A receiver <see cref="Open"/>s the generation a
/// message names, which derives its key without moving the ratchet, and consumes it only once the message has
/// decrypted and its signature verified: a forged message, however far ahead its generation, leaves the ratchet
/// where it was. Consuming deletes each ratchet secret once the next is derived and the generation's key once used
/// (§9.2); the keys of generations skipped on the way are kept, at most <see cref="MaxSkippedKeys"/>, for messages
/// that arrive out of order (§15.2), and each of those can be consumed once too.
/// </summary>
internal sealed class HashRatchet : IDisposable
{
    /// <summary>How far ahead of its current generation a ratchet may be opened: bounds the work a forged generation can cause.</summary>
    public const uint MaxForwardDistance = 1000;

    /// <summary>How many keys of skipped generations are kept; past that the oldest are deleted, and their messages can no longer be read.</summary>
    public const int MaxSkippedKeys = 1000;

    private readonly IVault vault;
    private readonly CipherSuite suite;
    private readonly SortedDictionary<uint, KeyAndNonce> skipped = [];
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

    /// <summary>
    /// A ratchet restored from saved state (<see cref="MlsGroupSnapshot"/>): at <paramref name="generation"/> with
    /// <paramref name="secret"/>, holding the kept keys of <paramref name="skipped"/> generations (each below it). The
    /// ratchet owns them all.
    /// </summary>
    public HashRatchet(IVault vault, CipherSuite suite, KeyHandle secret, uint generation, IEnumerable<KeyAndNonce> skipped)
        : this(vault, suite, secret)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        Generation = generation;
        foreach (var kept in skipped)
        {
            if (kept.Generation >= generation || !this.skipped.TryAdd(kept.Generation, kept) || this.skipped.Count > MaxSkippedKeys)
            {
                throw new ArgumentException($"a kept key of generation {kept.Generation} does not fit a ratchet at {generation}", nameof(skipped));
            }
        }
    }

    /// <summary>The ratchet secret of <see cref="Generation"/>, which the ratchet owns: for saving its state.</summary>
    public KeyHandle Secret => secret ?? throw new ObjectDisposedException(nameof(HashRatchet));

    /// <summary>The kept keys of skipped generations, by generation, which the ratchet owns: for saving its state.</summary>
    public IEnumerable<KeyAndNonce> Skipped => skipped.Values;

    /// <summary>The generation j of the ratchet secret held: the lowest generation not yet reached (earlier ones are consumed or skipped).</summary>
    public uint Generation { get; private set; }

    /// <summary>How many keys of skipped generations are held.</summary>
    public int SkippedCount => skipped.Count;

    /// <summary>The key and nonce of the next generation, moving the ratchet past it: for the sender, whose own generations are used in order. The caller owns the key.</summary>
    /// <exception cref="MlsCryptoException">The ratchet is exhausted.</exception>
    public KeyAndNonce Next()
    {
        var current = secret ?? throw new ObjectDisposedException(nameof(HashRatchet));
        if (Generation == uint.MaxValue)
        {
            throw new MlsCryptoException("the ratchet's generations are exhausted");
        }

        var keyAndNonce = DeriveKeyAndNonce(current, Generation);
        secret = DeriveNextSecret(current, Generation);
        vault.DeleteEphemeralKey(current);
        Generation++;
        return keyAndNonce;
    }

    /// <summary>
    /// The key and nonce of <paramref name="generation"/>, for a receiver to try a message with, without moving the
    /// ratchet: <see cref="Pending.Consume"/> moves it once the message is known to be genuine, and disposing the
    /// result unconsumed leaves the ratchet as it was.
    /// </summary>
    /// <exception cref="MlsCryptoException">The generation was consumed already (a replay) or its key deleted, is further ahead than <see cref="MaxForwardDistance"/>, or the ratchet is exhausted.</exception>
    public Pending Open(uint generation)
    {
        var current = secret ?? throw new ObjectDisposedException(nameof(HashRatchet));
        if (generation < Generation)
        {
            return skipped.TryGetValue(generation, out var kept)
                ? new Pending(this, kept, ownsKey: false)
                : throw new MlsCryptoException($"generation {generation} was consumed already or its key deleted (the ratchet is at {Generation})");
        }

        if (generation - Generation > MaxForwardDistance)
        {
            throw new MlsCryptoException($"generation {generation} is more than {MaxForwardDistance} ahead of {Generation}");
        }

        if (generation == uint.MaxValue)
        {
            throw new MlsCryptoException("the ratchet's generations are exhausted");
        }

        // Walk a copy of the chain: the held secret is not touched, and every secret derived on the way is deleted
        // as soon as the next one is.
        var walked = current;
        for (var j = Generation; j < generation; j++)
        {
            var next = DeriveNextSecret(walked, j);
            if (walked != current)
            {
                vault.DeleteEphemeralKey(walked);
            }

            walked = next;
        }

        var keyAndNonce = DeriveKeyAndNonce(walked, generation);
        if (walked != current)
        {
            vault.DeleteEphemeralKey(walked);
        }

        return new Pending(this, keyAndNonce, ownsKey: true);
    }

    public void Dispose()
    {
        if (secret is not null)
        {
            vault.DeleteEphemeralKey(secret);
            secret = null;
        }

        foreach (var kept in skipped.Values)
        {
            vault.DeleteEphemeralKey(kept.Key);
        }

        skipped.Clear();
    }

    // Moves the ratchet past a generation whose message verified. A skipped generation's key is simply deleted;
    // a generation at or past the held secret moves the secret past it, keeping the keys of the generations
    // skipped on the way (deriving them again: only a genuine message pays for that).
    private void Consume(uint generation)
    {
        var current = secret ?? throw new ObjectDisposedException(nameof(HashRatchet));
        if (generation < Generation)
        {
            if (skipped.Remove(generation, out var kept))
            {
                vault.DeleteEphemeralKey(kept.Key);
                return;
            }

            throw new InvalidOperationException($"generation {generation} was consumed while it was open");
        }

        for (; Generation < generation; Generation++)
        {
            skipped[Generation] = DeriveKeyAndNonce(current, Generation);
            var next = DeriveNextSecret(current, Generation);
            vault.DeleteEphemeralKey(current);
            current = next;
        }

        secret = DeriveNextSecret(current, Generation);
        vault.DeleteEphemeralKey(current);
        Generation++;

        while (skipped.Count > MaxSkippedKeys)
        {
            var oldest = skipped.First();
            skipped.Remove(oldest.Key);
            vault.DeleteEphemeralKey(oldest.Value.Key);
        }
    }

    private KeyAndNonce DeriveKeyAndNonce(KeyHandle ratchetSecret, uint generation) =>
        new(
            KeyDerivation.DeriveTreeSecret(vault, ratchetSecret, "key", generation, suite.AeadKeySpec),
            KeyDerivation.DeriveTreeSecretToBytes(vault, ratchetSecret, "nonce", generation, suite.Nn),
            generation);

    private KeyHandle DeriveNextSecret(KeyHandle ratchetSecret, uint generation) =>
        KeyDerivation.DeriveTreeSecret(vault, ratchetSecret, "secret", generation, suite.SecretSpec);

    /// <summary>
    /// A generation's key and nonce, opened by <see cref="Open"/>: <see cref="Consume"/> once the message it opened
    /// is genuine; disposing it otherwise leaves the ratchet unmoved (and deletes the key, unless it is a kept key of a
    /// skipped generation, which stays for the genuine message).
    /// </summary>
    internal sealed class Pending : IDisposable
    {
        private readonly HashRatchet ratchet;
        private readonly bool ownsKey;
        private bool done;

        public Pending(HashRatchet ratchet, KeyAndNonce keyAndNonce, bool ownsKey)
        {
            this.ratchet = ratchet;
            this.ownsKey = ownsKey;
            KeyAndNonce = keyAndNonce;
        }

        /// <summary>The key (owned by this object: do not delete it) and nonce of the generation.</summary>
        public KeyAndNonce KeyAndNonce { get; }

        /// <summary>Moves the ratchet past the generation and deletes its key: it can never be opened again.</summary>
        public void Consume()
        {
            ObjectDisposedException.ThrowIf(done, this);
            done = true;
            try
            {
                ratchet.Consume(KeyAndNonce.Generation);
            }
            finally
            {
                if (ownsKey)
                {
                    ratchet.vault.DeleteEphemeralKey(KeyAndNonce.Key);
                }
            }
        }

        public void Dispose()
        {
            if (done)
            {
                return;
            }

            done = true;
            if (ownsKey)
            {
                ratchet.vault.DeleteEphemeralKey(KeyAndNonce.Key);
            }
        }
    }
}
