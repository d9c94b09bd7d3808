namespace Ockam.Grains.Contracts;

/// <summary>A gateway that wants to hear of revocations at once, to close the channels they affect.</summary>
[Alias("ockam.revocation-observer")]
public interface IRevocationObserver : IGrainObserver
{
    /// <remarks>
    /// Its own response timeout, well under Orleans' default of 30 s: a gateway on a silo that died answers nothing
    /// until then, and the feed's notice should not wait on it (the feed notifies every gateway at once).
    /// </remarks>
    [Alias("revoked")]
    [ResponseTimeout("00:00:05")]
    Task RevokedAsync(RevocationNotice notice);
}
