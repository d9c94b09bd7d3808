using Ockam.Identity.Vault;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Fuzz;

/// <summary>Bytes arriving on an established channel: the decryptor's refusals are values, never exceptions.</summary>
internal sealed class ChannelData : IDisposable
{
    private readonly SoftwareVault vault = new();
    private readonly KeyHandle key;

    public ChannelData()
    {
        key = vault.ImportEphemeralKey(KeyType.AesGcm, Enumerable.Repeat((byte)5, 32).ToArray());
    }

    /// <summary>Two messages as the peer's encryptor writes them.</summary>
    public IEnumerable<byte[]> Seeds()
    {
        using var encryptor = new ChannelEncryptor(vault, vault.ImportEphemeralKey(KeyType.AesGcm, Enumerable.Repeat((byte)5, 32).ToArray()), 16);
        return [encryptor.Encrypt("reading"u8), encryptor.Encrypt([])];
    }

    public bool Run(byte[] input)
    {
        // A fresh decryptor per input, as a fresh channel: the fuzzer's inputs are not one stream.
        using var decryptor = new ChannelDecryptor(vault, vault.ImportEphemeralKey(KeyType.AesGcm, Enumerable.Repeat((byte)5, 32).ToArray()), 16, 64);
        return decryptor.TryDecrypt(input, out _) is null;
    }

    public void Dispose() => vault.Dispose();
}
