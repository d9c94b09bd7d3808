namespace Ockam.Identity.Vault;

/// <summary>
/// The only place private keys live. Callers name keys by <see cref="KeyHandle"/> and never see
/// secret bytes, so a TPM, HSM or secure element can implement this interface.
/// </summary>
/// <remarks>
/// Cryptographic operations are synchronous: they are CPU-bound in software and short calls on
/// hardware (as PKCS#11's are), and the secure channel's data path calls them per message.
/// Only operations that may touch storage are asynchronous.
/// </remarks>
public interface IVault
{
    /// <summary>Generates a fresh key from the system's cryptographic random number generator.</summary>
    ValueTask<KeyHandle> GenerateKeyAsync(KeyType type, KeyPersistence persistence, CancellationToken cancellationToken = default);

    /// <summary>
    /// Generates a fresh key of each of <paramref name="types"/>, in that order. Persistent ones are stored together,
    /// with one durable write for all: keys a node makes at once (an identity's purpose keys, a KeyPackage's two) cost
    /// one write to the key store, not one each. Either every key is made and stored, or none is.
    /// </summary>
    ValueTask<IReadOnlyList<KeyHandle>> GenerateKeysAsync(IReadOnlyList<KeyType> types, KeyPersistence persistence, CancellationToken cancellationToken = default);

    /// <summary>Imports secret bytes as a key (test vectors, keys derived elsewhere).</summary>
    ValueTask<KeyHandle> ImportKeyAsync(KeyType type, ReadOnlyMemory<byte> secret, KeyPersistence persistence, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key and zeroes its secret; removes it from storage if persistent.</summary>
    ValueTask DeleteKeyAsync(KeyHandle key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Imports secret bytes as an ephemeral key. Ephemeral keys never touch storage, so, like the
    /// results of <see cref="DiffieHellman"/> and <see cref="DeriveKeys"/>, they are made synchronously.
    /// </summary>
    KeyHandle ImportEphemeralKey(KeyType type, ReadOnlySpan<byte> secret);

    /// <summary>Deletes an ephemeral key and zeroes it. A persistent key is refused: use <see cref="DeleteKeyAsync"/>.</summary>
    void DeleteEphemeralKey(KeyHandle key);

    /// <summary>Whether the vault holds <paramref name="key"/>.</summary>
    bool Contains(KeyHandle key);

    /// <summary>The public key of an Ed25519 or X25519 key.</summary>
    byte[] GetPublicKey(KeyHandle key);

    /// <summary>Signs <paramref name="message"/> with an Ed25519 key (RFC 8032, pure Ed25519).</summary>
    byte[] Sign(KeyHandle key, ReadOnlySpan<byte> message);

    /// <summary>Verifies an Ed25519 signature; any malformed input is simply not valid.</summary>
    bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);

    /// <summary>
    /// X25519 with <paramref name="privateKey"/> and a peer's public key. The result is an ephemeral
    /// <see cref="KeyType.Secret"/>. An all-zero shared secret (a low-order peer key) is refused.
    /// </summary>
    KeyHandle DiffieHellman(KeyHandle privateKey, ReadOnlySpan<byte> peerPublicKey);

    /// <summary>SHA-256 of <paramref name="data"/>.</summary>
    byte[] Sha256(ReadOnlySpan<byte> data);

    /// <summary>
    /// HKDF-SHA256 (RFC 5869): extract with <paramref name="salt"/> (null for the all-zero salt) and
    /// <paramref name="inputKeyMaterial"/>, then expand with <paramref name="info"/> into consecutive
    /// ephemeral keys of the given specs.
    /// </summary>
    IReadOnlyList<KeyHandle> DeriveKeys(KeyHandle? salt, KeyHandle inputKeyMaterial, ReadOnlySpan<byte> info, IReadOnlyList<KeySpec> outputs);

    /// <summary>
    /// HKDF-Extract (RFC 5869, SHA-256) with <paramref name="salt"/> (null: the all-zero salt) over the input
    /// <paramref name="prefix"/> ‖ the secrets of <paramref name="secrets"/>, in order: a public label may
    /// precede secret material without the secret leaving the vault (HPKE's LabeledExtract). The PRK is an
    /// ephemeral <see cref="KeyType.Secret"/>.
    /// </summary>
    KeyHandle HkdfExtract(KeyHandle? salt, ReadOnlySpan<byte> prefix, IReadOnlyList<KeyHandle> secrets);

    /// <summary>
    /// HMAC-SHA256 under a <see cref="KeyType.Secret"/> key of <paramref name="data"/>: a MAC tag, public by
    /// definition (MLS's confirmation tag and membership tag), so it comes out as bytes.
    /// </summary>
    byte[] HmacSha256(KeyHandle key, ReadOnlySpan<byte> data);

    /// <summary>HKDF-Expand (RFC 5869, SHA-256) of a PRK into a new ephemeral key of <paramref name="output"/>'s type and length.</summary>
    KeyHandle HkdfExpand(KeyHandle prk, ReadOnlySpan<byte> info, KeySpec output);

    /// <summary>
    /// HKDF-Expand into bytes the caller receives: for outputs that are handed out by definition
    /// (HPKE's exported secrets and base nonce), never for keys the vault should keep.
    /// </summary>
    byte[] HkdfExpandToBytes(KeyHandle prk, ReadOnlySpan<byte> info, int length);

    /// <summary>
    /// AEAD encryption with an AES-GCM or ChaCha20-Poly1305 key and a 12-byte nonce.
    /// <paramref name="destination"/> receives ciphertext followed by the 16-byte tag.
    /// </summary>
    void Encrypt(KeyHandle key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> destination);

    /// <summary>
    /// Noise's <c>REKEY(k)</c> for an AES-GCM key: the first 32 bytes of encrypting 32 zero bytes under
    /// the reserved nonce 2^64-1, as a new ephemeral AES-256-GCM key. The new key never leaves the vault.
    /// </summary>
    KeyHandle Rekey(KeyHandle key);

    /// <summary>
    /// AEAD decryption; false (and a zeroed <paramref name="plaintext"/>) when the tag does not verify.
    /// </summary>
    bool TryDecrypt(KeyHandle key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertextAndTag, ReadOnlySpan<byte> associatedData, Span<byte> plaintext);

    /// <summary>
    /// Wraps <paramref name="key"/> under the AES-256-GCM key <paramref name="wrappingKey"/> (as PKCS#11's C_WrapKey), so
    /// that it can be stored outside the vault: a fresh random nonce, the key's secret (an Ed25519 key's seed) as
    /// plaintext, and its type and length bound into the associated data with <paramref name="associatedData"/>.
    /// </summary>
    /// <exception cref="VaultException">A key is unknown, or <paramref name="wrappingKey"/> is not a 256-bit AES-GCM key.</exception>
    byte[] WrapKey(KeyHandle wrappingKey, KeyHandle key, ReadOnlySpan<byte> associatedData);

    /// <summary>
    /// Unwraps what <see cref="WrapKey"/> made under <paramref name="wrappingKey"/> with the same
    /// <paramref name="associatedData"/> into a new ephemeral key of the type it was wrapped as (C_UnwrapKey).
    /// </summary>
    /// <exception cref="VaultException">The blob is malformed, tampered with, or was wrapped under another key or associated data.</exception>
    KeyHandle UnwrapKey(KeyHandle wrappingKey, ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData);
}
