using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>SignWithLabel and VerifyWithLabel (RFC 9420 §5.1.2): Ed25519 over the encoded SignContent; the signature key stays in the vault.</summary>
internal static class LabeledSignature
{
    /// <summary><c>SignWithLabel(SignatureKey, Label, Content) = Signature.Sign(SignatureKey, SignContent)</c>.</summary>
    public static byte[] SignWithLabel(IVault vault, KeyHandle signatureKey, string label, ReadOnlySpan<byte> content)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(signatureKey);
        return vault.Sign(signatureKey, LabeledStructs.SignContent(label, content));
    }

    /// <summary><c>VerifyWithLabel(VerificationKey, Label, Content, SignatureValue) = Signature.Verify(VerificationKey, SignContent, SignatureValue)</c>.</summary>
    public static bool VerifyWithLabel(IVault vault, ReadOnlySpan<byte> verificationKey, string label, ReadOnlySpan<byte> content, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(vault);
        return vault.Verify(verificationKey, LabeledStructs.SignContent(label, content), signature);
    }
}
