namespace Ockam.Grains.Authority;

/// <summary>What an issuer asks the store to record before it signs a credential.</summary>
internal enum IssuanceKind
{
    /// <summary>
    /// The subject is to hold <see cref="Issuance.Attributes"/> (a redeemed token, an admin's issue): a member is made, or its
    /// attributes are replaced (a change starting a new standing). Refused to a suspended or revoked identity.
    /// </summary>
    Grant,

    /// <summary>
    /// A member in good standing gets a fresh credential with what it holds; with <see cref="Issuance.Attributes"/>, only if it
    /// holds exactly those (a token's redeemer retrying).
    /// </summary>
    Renew,
}

/// <summary>A serial about to be signed for a subject, and what must hold for it to be (a class: it holds byte arrays).</summary>
internal sealed class Issuance
{
    public required string Subject { get; init; }

    public required IssuanceKind Kind { get; init; }

    /// <summary>What a grant gives, or what a renewal must find held; null for a plain renewal.</summary>
    public required IReadOnlyDictionary<string, byte[]>? Attributes { get; init; }

    /// <summary>From the issuer's reserved block: never used before.</summary>
    public required ulong Serial { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The most credentials the subject may hold unexpired at <see cref="IssuedAt"/>, this one included.</summary>
    public required int MaxUnexpired { get; init; }

    /// <summary>The same serial as a renewal that finds <see cref="Attributes"/> held: what a token's redeemer retrying gets.</summary>
    public Issuance AsRenewal() => new()
    {
        Subject = Subject,
        Kind = IssuanceKind.Renew,
        Attributes = Attributes,
        Serial = Serial,
        IssuedAt = IssuedAt,
        ExpiresAt = ExpiresAt,
        MaxUnexpired = MaxUnexpired,
    };
}

/// <summary>Whether an <see cref="Issuance"/> was recorded, and if not why.</summary>
internal enum IssuanceOutcome
{
    Recorded,
    NotAMember,
    Suspended,
    Revoked,

    /// <summary>A renewal named attributes the member no longer holds exactly.</summary>
    NotHeld,

    /// <summary>The subject holds <see cref="Issuance.MaxUnexpired"/> unexpired credentials already.</summary>
    TooMany,
}

/// <summary>The store's answer: the outcome and, when recorded, exactly the attributes to sign (the member's, as the transaction found them).</summary>
internal sealed class IssuanceResult(IssuanceOutcome outcome, IReadOnlyDictionary<string, byte[]>? attributes)
{
    public IssuanceOutcome Outcome { get; } = outcome;

    public IReadOnlyDictionary<string, byte[]>? Attributes { get; } = attributes;

    public static IssuanceResult Refused(IssuanceOutcome outcome) => new(outcome, null);
}

/// <summary>What redeeming a token for one identity did.</summary>
internal enum RedemptionOutcome
{
    /// <summary>A use of the token went to the identity.</summary>
    Redeemed,

    /// <summary>The identity had redeemed it before: nothing more was used.</summary>
    Retry,

    /// <summary>Every use is taken by other identities.</summary>
    UsedUp,
}
