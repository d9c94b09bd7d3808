using System.Buffers.Binary;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// The labelled KDF of RFC 9420 §5.1.2 and §9 on the vault: secrets go in and come out as handles, so
/// they never leave it. Only values the protocol hands out anyway (AEAD nonces) come out as bytes.
/// </summary>
internal static class KeyDerivation
{
    /// <summary>
    /// <c>ExpandWithLabel(Secret, Label, Context, Length) = KDF.Expand(Secret, KDFLabel, Length)</c>, into a new
    /// ephemeral vault key of <paramref name="output"/>'s type and length.
    /// </summary>
    public static KeyHandle ExpandWithLabel(IVault vault, KeyHandle secret, string label, ReadOnlySpan<byte> context, KeySpec output)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(secret);
        return vault.HkdfExpand(secret, LabeledStructs.KdfLabel(label, context, output.Length), output);
    }

    /// <summary>ExpandWithLabel with a label given as bytes (MLS-Exporter's application label).</summary>
    public static KeyHandle ExpandWithLabel(IVault vault, KeyHandle secret, ReadOnlySpan<byte> label, ReadOnlySpan<byte> context, KeySpec output)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(secret);
        return vault.HkdfExpand(secret, LabeledStructs.KdfLabel(label, context, output.Length), output);
    }

    /// <summary>ExpandWithLabel into bytes, for outputs that are public by definition (AEAD nonces), never for keys.</summary>
    public static byte[] ExpandWithLabelToBytes(IVault vault, KeyHandle secret, string label, ReadOnlySpan<byte> context, int length)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(secret);
        return vault.HkdfExpandToBytes(secret, LabeledStructs.KdfLabel(label, context, length), length);
    }

    /// <summary><c>DeriveSecret(Secret, Label) = ExpandWithLabel(Secret, Label, "", KDF.Nh)</c>.</summary>
    public static KeyHandle DeriveSecret(IVault vault, CipherSuite suite, KeyHandle secret, string label)
    {
        ArgumentNullException.ThrowIfNull(suite);
        return ExpandWithLabel(vault, secret, label, [], suite.SecretSpec);
    }

    /// <summary>DeriveSecret with a label given as bytes (MLS-Exporter's application label).</summary>
    public static KeyHandle DeriveSecret(IVault vault, CipherSuite suite, KeyHandle secret, ReadOnlySpan<byte> label)
    {
        ArgumentNullException.ThrowIfNull(suite);
        return ExpandWithLabel(vault, secret, label, [], suite.SecretSpec);
    }

    /// <summary><c>DeriveTreeSecret(Secret, Label, Generation, Length) = ExpandWithLabel(Secret, Label, Generation, Length)</c>, Generation a uint32 (§9).</summary>
    public static KeyHandle DeriveTreeSecret(IVault vault, KeyHandle secret, string label, uint generation, KeySpec output) =>
        ExpandWithLabel(vault, secret, label, Generation(generation), output);

    /// <summary>DeriveTreeSecret into bytes, for the ratchet's nonces.</summary>
    public static byte[] DeriveTreeSecretToBytes(IVault vault, KeyHandle secret, string label, uint generation, int length) =>
        ExpandWithLabelToBytes(vault, secret, label, Generation(generation), length);

    private static byte[] Generation(uint generation)
    {
        var context = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(context, generation);
        return context;
    }
}
