using Ockam.Identity.Hpke;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// EncryptWithLabel and DecryptWithLabel (RFC 9420 §5.1.3): HPKE SealBase/OpenBase of the suite with
/// info = EncryptContext and an empty aad. The recipient's private key stays in the vault.
/// </summary>
internal static class LabeledEncryption
{
    /// <summary><c>EncryptWithLabel(PublicKey, Label, Context, Plaintext) = SealBase(PublicKey, EncryptContext, "", Plaintext)</c>, with a fresh ephemeral key.</summary>
    public static async Task<(byte[] KemOutput, byte[] Ciphertext)> EncryptWithLabelAsync(
        IVault vault, CipherSuite suite, byte[] publicKey, string label, byte[] context, byte[] plaintext, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suite);
        return await Hpke.Hpke.SealAsync(vault, suite.Hpke, publicKey, LabeledStructs.EncryptContext(label, context), [], plaintext, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>DecryptWithLabel(PrivateKey, Label, Context, KEMOutput, Ciphertext) = OpenBase(KEMOutput, PrivateKey, EncryptContext, "", Ciphertext)</c>.</summary>
    /// <exception cref="MlsCryptoException">The ciphertext does not open under this key and context.</exception>
    public static byte[] DecryptWithLabel(
        IVault vault, CipherSuite suite, KeyHandle privateKey, string label, ReadOnlySpan<byte> context, ReadOnlySpan<byte> kemOutput, ReadOnlySpan<byte> ciphertext)
    {
        ArgumentNullException.ThrowIfNull(suite);
        try
        {
            return Hpke.Hpke.Open(vault, suite.Hpke, privateKey, kemOutput, LabeledStructs.EncryptContext(label, context), [], ciphertext);
        }
        catch (HpkeException e)
        {
            throw new MlsCryptoException($"DecryptWithLabel(\"{label}\") failed: {e.Message}", e);
        }
        catch (VaultException e)
        {
            throw new MlsCryptoException($"DecryptWithLabel(\"{label}\") failed: {e.Message}", e);
        }
    }
}
