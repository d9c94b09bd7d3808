using System.Security.Cryptography;

namespace Ockam.Identity.Mls;

/// <summary>Hash-based identifiers (RFC 9420 §5.2): <c>RefHash(label, value) = Hash(RefHashInput)</c>. Public values only, so no vault.</summary>
internal static class RefHash
{
    /// <summary>RefHash under <paramref name="suite"/>'s hash (SHA-256).</summary>
    public static byte[] Compute(CipherSuite suite, string label, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(suite);
        return SHA256.HashData(LabeledStructs.RefHashInput(label, value));
    }
}
