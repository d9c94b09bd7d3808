namespace Ockam.Grains.Contracts;

/// <summary>A credential presentation, or why there is none.</summary>
[GenerateSerializer, Immutable, Alias("ockam.authority-result")]
public sealed record AuthorityResult(
    [property: Id(0)] AuthorityOutcome Outcome,
    [property: Id(1)] byte[]? Credential,
    [property: Id(2)] ulong Serial,
    [property: Id(3)] string? Reason)
{
    public static AuthorityResult Refused(AuthorityOutcome outcome, string reason) => new(outcome, null, 0, reason);
}
