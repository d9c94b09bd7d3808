using Ockam.Identity.Vault;

namespace Ockam.Messaging.SecureChannels;

/// <summary>
/// Noise SymmetricState: chaining key (a vault secret), handshake hash h, and the CipherState.
/// Noise's HKDF(ck, ikm) with two outputs is RFC 5869 HKDF-SHA256 with salt ck, empty info, 64 bytes.
/// </summary>
internal sealed class SymmetricState : IDisposable
{
    private const int HashLength = 32;
    private readonly IVault vault;
    private KeyHandle? chainingKey;

    public SymmetricState(IVault vault, string protocolName)
    {
        this.vault = vault;
        var name = System.Text.Encoding.ASCII.GetBytes(protocolName);
        Hash = name.Length <= HashLength ? [.. name, .. new byte[HashLength - name.Length]] : vault.Sha256(name);
        chainingKey = Import(Hash);
        Cipher = new CipherState(vault);
    }

    public byte[] Hash { get; private set; }

    public CipherState Cipher { get; }

    public void MixHash(ReadOnlySpan<byte> data) => Hash = vault.Sha256([.. Hash, .. data]);

    public void MixKey(KeyHandle inputKeyMaterial)
    {
        ObjectDisposedException.ThrowIf(chainingKey is null, this);
        var outputs = vault.DeriveKeys(chainingKey, inputKeyMaterial, [], [KeySpec.Secret32, KeySpec.Aes256]);
        Forget(chainingKey);
        Forget(inputKeyMaterial);
        if (Cipher.Key is { } old)
        {
            Forget(old);
        }

        chainingKey = outputs[0];
        Cipher.Initialize(outputs[1]);
    }

    public byte[] EncryptAndHash(ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = Cipher.EncryptWithAd(Hash, plaintext);
        MixHash(ciphertext);
        return ciphertext;
    }

    public byte[] DecryptAndHash(ReadOnlySpan<byte> ciphertext)
    {
        var plaintext = Cipher.TryDecryptWithAd(Hash, ciphertext)
            ?? throw new HandshakeException(HandshakeError.DecryptionFailed, "handshake message failed authentication");
        MixHash(ciphertext);
        return plaintext;
    }

    /// <summary>Derives the two transport keys: the first encrypts initiator→responder.</summary>
    public (KeyHandle InitiatorToResponder, KeyHandle ResponderToInitiator) Split()
    {
        ObjectDisposedException.ThrowIf(chainingKey is null, this);
        var empty = Import([]);
        var outputs = vault.DeriveKeys(chainingKey, empty, [], [KeySpec.Aes256, KeySpec.Aes256]);
        Forget(empty);
        Dispose();
        return (outputs[0], outputs[1]);
    }

    /// <summary>Deletes the chaining key and the handshake cipher key (after Split, or when a handshake is abandoned).</summary>
    public void Dispose()
    {
        if (chainingKey is not null)
        {
            Forget(chainingKey);
            chainingKey = null;
        }

        if (Cipher.Key is { } key)
        {
            Forget(key);
            Cipher.Clear();
        }
    }

    private KeyHandle Import(byte[] secret) => vault.ImportEphemeralKey(KeyType.Secret, secret);

    private void Forget(KeyHandle key) => vault.DeleteEphemeralKey(key);
}
