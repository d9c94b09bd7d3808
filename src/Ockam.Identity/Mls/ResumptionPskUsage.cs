namespace Ockam.Identity.Mls;

/// <summary><c>enum { reserved(0), application(1), reinit(2), branch(3), (255) } ResumptionPSKUsage;</c> (RFC 9420 §8.4).</summary>
internal enum ResumptionPskUsage : byte
{
    Application = 1,
    Reinit = 2,
    Branch = 3,
}
