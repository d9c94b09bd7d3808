using System.Security.Cryptography;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// <c>membership_tag = MAC(membership_key, AuthenticatedContentTBM)</c> (RFC 9420 §6.2): proof that a PublicMessage
/// from a member was sent by someone holding the epoch's membership_key, which outsiders (and the Delivery Service)
/// do not have. The key stays in the vault; the tag is public.
/// </summary>
internal static class MembershipTag
{
    public static byte[] Compute(IVault vault, KeyHandle membershipKey, AuthenticatedContent content, ReadOnlySpan<byte> groupContext)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(membershipKey);
        ArgumentNullException.ThrowIfNull(content);
        return vault.HmacSha256(membershipKey, content.EncodeTbm(groupContext));
    }

    /// <summary>Checks a received tag in constant time.</summary>
    /// <exception cref="MlsCryptoException">The tag does not match: the sender is not a member of this epoch, or the message was altered.</exception>
    public static void Verify(IVault vault, KeyHandle membershipKey, AuthenticatedContent content, ReadOnlySpan<byte> groupContext, ReadOnlySpan<byte> membershipTag)
    {
        if (!CryptographicOperations.FixedTimeEquals(Compute(vault, membershipKey, content, groupContext), membershipTag))
        {
            throw new MlsCryptoException("the membership tag does not match the message");
        }
    }
}
