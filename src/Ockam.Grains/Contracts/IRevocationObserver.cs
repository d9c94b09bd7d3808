namespace Ockam.Grains.Contracts;

/// <summary>A gateway that wants to hear of revocations at once, to close the channels they affect.</summary>
[Alias("ockam.revocation-observer")]
public interface IRevocationObserver : IGrainObserver
{
    [Alias("revoked")]
    Task RevokedAsync(RevocationNotice notice);
}
