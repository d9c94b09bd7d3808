using Ockam.Grains.Contracts;

namespace Ockam.Grains.Enrollment;

[GenerateSerializer, Alias("ockam.enrollment-token-state")]
internal sealed record EnrollmentTokenState
{
    [Id(0)]
    public TokenGrant? Grant { get; init; }

    [Id(1)]
    public string? RedeemedBy { get; init; }

    [Id(2)]
    public DateTimeOffset? RedeemedAt { get; init; }
}
