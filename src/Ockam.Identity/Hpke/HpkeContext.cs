using System.Buffers.Binary;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Hpke;

/// <summary>
/// An HPKE encryption context (RFC 9180 §5.2) of one <see cref="HpkeSuite"/>: the AEAD key and exporter secret stay in the vault; each
/// Seal or Open uses base_nonce XOR the sequence number, which only moves forward.
/// </summary>
public sealed class HpkeContext : IDisposable
{
    private readonly IVault vault;
    private readonly HpkeSuite suite;
    private readonly byte[] baseNonce;
    private KeyHandle? key;
    private KeyHandle? exporterSecret;

    internal HpkeContext(IVault vault, HpkeSuite suite, KeyHandle key, byte[] baseNonce, KeyHandle exporterSecret)
    {
        this.vault = vault;
        this.suite = suite;
        this.key = key;
        this.baseNonce = baseNonce;
        this.exporterSecret = exporterSecret;
    }

    /// <summary>The sequence number of the next Seal or Open.</summary>
    public ulong Sequence { get; private set; }

    /// <summary>The suite this context was set up with.</summary>
    public HpkeSuite Suite => suite;

    internal KeyHandle Key => key ?? throw new ObjectDisposedException(nameof(HpkeContext));

    internal KeyHandle ExporterSecret => exporterSecret ?? throw new ObjectDisposedException(nameof(HpkeContext));

    internal ReadOnlySpan<byte> BaseNonce => baseNonce;

    public byte[] Seal(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[plaintext.Length + HpkeSuite.Nt];
        vault.Encrypt(Key, NextNonce(), plaintext, associatedData, output);
        Sequence++;
        return output;
    }

    /// <exception cref="HpkeException">The ciphertext does not authenticate under this context.</exception>
    public byte[] Open(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length < HpkeSuite.Nt)
        {
            throw new HpkeException("an HPKE ciphertext is at least its 16-byte tag");
        }

        var output = new byte[ciphertext.Length - HpkeSuite.Nt];
        if (!vault.TryDecrypt(Key, NextNonce(), ciphertext, associatedData, output))
        {
            throw new HpkeException("the HPKE ciphertext does not authenticate");
        }

        Sequence++;
        return output;
    }

    /// <summary>RFC 9180 §5.3: a secret of <paramref name="length"/> bytes bound to this context and <paramref name="exporterContext"/>.</summary>
    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length) =>
        vault.HkdfExpandToBytes(ExporterSecret, HpkeSuite.LabeledInfo(suite.SuiteId, "sec", exporterContext, length), length);

    public void Dispose()
    {
        if (key is not null)
        {
            vault.DeleteEphemeralKey(key);
            key = null;
        }

        if (exporterSecret is not null)
        {
            vault.DeleteEphemeralKey(exporterSecret);
            exporterSecret = null;
        }
    }

    private byte[] NextNonce()
    {
        // The sequence is a 64-bit counter in a 96-bit nonce; it never wraps.
        if (Sequence == ulong.MaxValue)
        {
            throw new HpkeException("the HPKE context's sequence numbers are used up");
        }

        var nonce = baseNonce.ToArray();
        var counter = BinaryPrimitives.ReadUInt64BigEndian(nonce.AsSpan(4)) ^ Sequence;
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), counter);
        return nonce;
    }
}
