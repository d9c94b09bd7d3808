using System.Security.Cryptography;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// <c>confirmation_tag = MAC(confirmation_key, GroupContext.confirmed_transcript_hash)</c> (RFC 9420 §6.1, §8.2):
/// proof that the committer reached the same epoch. The key stays in the vault; the tag is public.
/// </summary>
internal static class ConfirmationTag
{
    /// <summary>The tag of <paramref name="confirmedTranscriptHash"/> under the epoch's <paramref name="confirmationKey"/>.</summary>
    public static byte[] Compute(IVault vault, KeyHandle confirmationKey, ReadOnlySpan<byte> confirmedTranscriptHash)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(confirmationKey);
        return vault.HmacSha256(confirmationKey, confirmedTranscriptHash);
    }

    /// <summary>Checks a received tag in constant time.</summary>
    /// <exception cref="MlsCryptoException">The tag does not match: the sender is in another epoch, or the Commit was altered.</exception>
    public static void Verify(IVault vault, KeyHandle confirmationKey, ReadOnlySpan<byte> confirmedTranscriptHash, ReadOnlySpan<byte> confirmationTag)
    {
        if (!CryptographicOperations.FixedTimeEquals(Compute(vault, confirmationKey, confirmedTranscriptHash), confirmationTag))
        {
            throw new MlsCryptoException("the confirmation tag does not match the confirmed transcript hash");
        }
    }
}
