using Ockam.Grains.Contracts;

namespace Ockam.Silo.Gateway;

/// <summary>This gateway's subscription to the authority's revocation feed.</summary>
internal sealed class RevocationObserver(Func<RevocationNotice, Task> revoked) : IRevocationObserver
{
    public Task RevokedAsync(RevocationNotice notice) => revoked(notice);
}
