namespace Ockam.Grains.Contracts;

/// <summary>A new enrolment token (<see cref="AuthorityOutcome.Issued"/>), or why there is none.</summary>
[GenerateSerializer, Immutable, Alias("ockam.token-creation")]
public sealed record TokenCreation(
    [property: Id(0)] AuthorityOutcome Outcome,
    [property: Id(1)] string? Token,
    [property: Id(2)] string? Reason)
{
    public static TokenCreation Created(string token) => new(AuthorityOutcome.Issued, token, null);

    public static TokenCreation Refused(AuthorityOutcome outcome, string reason) => new(outcome, null, reason);
}
