using Ockam.Grains.Contracts;

namespace Ockam.Grains.Enrollment;

[GenerateSerializer, Alias("ockam.enrollment-token-state")]
internal sealed record EnrollmentTokenState
{
    [Id(0)]
    public TokenGrant? Grant { get; init; }

    /// <summary>The one redeemer of a token stored before tokens had a usage count; read, never written.</summary>
    [Id(1)]
    public string? RedeemedBy { get; init; }

    /// <summary>When the token was last redeemed by a new identity.</summary>
    [Id(2)]
    public DateTimeOffset? RedeemedAt { get; init; }

    /// <summary>The distinct identities that redeemed the token, at most its grant's usage count.</summary>
    [Id(3)]
    public HashSet<string> Redeemers { get; init; } = [];

    /// <summary>Whether <paramref name="identifier"/> has redeemed the token (now or before usage counts).</summary>
    public bool RedeemedFor(string identifier) => Redeemers.Contains(identifier) || RedeemedBy == identifier;

    /// <summary>How many distinct identities have redeemed it.</summary>
    public int Redemptions => Redeemers.Count + (RedeemedBy is null ? 0 : 1);
}
