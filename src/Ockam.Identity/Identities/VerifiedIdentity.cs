using Ockam.Identity.Encoding;

namespace Ockam.Identity.Identities;

/// <summary>An identity whose history has been verified. Only <see cref="ChangeHistory.Verify"/> makes one.</summary>
public sealed class VerifiedIdentity
{
    internal VerifiedIdentity(ChangeHistory history, int purposeKeysValidFrom)
    {
        History = history;
        PurposeKeysValidFrom = purposeKeysValidFrom;
    }

    public ChangeHistory History { get; }

    public Identifier Identifier => History.Identifier;

    /// <summary>The public key of the latest change: the only key that may sign for this identity now.</summary>
    public ByteString PrimaryPublicKey => History.Latest.Data.PrimaryPublicKey;

    public bool IsRevoked => History.Latest.Data.Revoked;

    public DateTimeOffset ExpiresAt => History.Latest.Data.ExpiresAt;

    /// <summary>Index of the last change that revoked purpose keys: attestations by earlier keys are void.</summary>
    internal int PurposeKeysValidFrom { get; }

    /// <summary>Throws unless the identity is neither revoked nor past its primary key's expiry.</summary>
    public void EnsureUsable(DateTimeOffset now)
    {
        if (IsRevoked)
        {
            throw new IdentityException(IdentityError.Revoked, $"{Identifier} is revoked");
        }

        if (now > ExpiresAt)
        {
            throw new IdentityException(IdentityError.KeyExpired, $"{Identifier}'s primary key expired at {ExpiresAt:O}");
        }
    }
}
