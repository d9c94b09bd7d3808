using Ockam.Grains.Contracts;

namespace Ockam.Grains.Enrollment;

/// <summary>A token's grant. Its redemptions are rows; the fields that held them before are read once, moved into rows, and emptied.</summary>
[GenerateSerializer, Alias("ockam.enrollment-token-state")]
internal sealed record EnrollmentTokenState
{
    [Id(0)]
    public TokenGrant? Grant { get; init; }

    /// <summary>The one redeemer of a token stored before tokens had a usage count; moved into rows on activation.</summary>
    [Id(1)]
    public string? RedeemedBy { get; init; }

    /// <summary>When the token was last redeemed by a new identity, while redeemers were kept here.</summary>
    [Id(2)]
    public DateTimeOffset? RedeemedAt { get; init; }

    /// <summary>The identities that redeemed the token, while they were kept here; moved into rows on activation.</summary>
    [Id(3)]
    public HashSet<string> Redeemers { get; init; } = [];

    /// <summary>How many distinct identities the state still names as redeemers.</summary>
    public int Redemptions => Redeemers.Count + (RedeemedBy is null ? 0 : 1);
}
