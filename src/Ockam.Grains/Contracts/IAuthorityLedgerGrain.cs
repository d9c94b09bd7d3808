namespace Ockam.Grains.Contracts;

/// <summary>
/// What an authority (key: its name) must decide in one place: the serial counter, handed out in blocks, and the
/// revocations with the signed list that carries them. Members, serials and revocations are rows of the silo's
/// database; issuers (<see cref="IAuthorityGrain"/>, a stateless worker on every silo) call here only for a block
/// of serials and for what changes revocation.
/// </summary>
[Alias("ockam.authority-ledger")]
public interface IAuthorityLedgerGrain : IGrainWithStringKey
{
    /// <summary>Reserves the next <paramref name="count"/> serials (1 to a bound), durably, before handing them out.</summary>
    [Alias("reserve-serials")]
    Task<SerialBlock> ReserveSerialsAsync(int count);

    /// <inheritdoc cref="IAuthorityGrain.RevokeAsync"/>
    [Alias("revoke")]
    Task<byte[]> RevokeAsync(ulong serial);

    /// <inheritdoc cref="IAuthorityGrain.RevokeMemberAsync"/>
    [Alias("revoke-member")]
    Task<byte[]> RevokeMemberAsync(string subject);

    /// <inheritdoc cref="IAuthorityGrain.ReadmitAsync"/>
    [Alias("readmit")]
    Task<ReadmitOutcome> ReadmitAsync(string admin, string subject);

    /// <inheritdoc cref="IAuthorityGrain.GetRevocationNoticeAsync"/>
    [Alias("revocation-notice")]
    Task<RevocationNotice> GetRevocationNoticeAsync();

    /// <inheritdoc cref="IAuthorityGrain.GetRevocationListAsync"/>
    [Alias("revocation-list")]
    Task<byte[]> GetRevocationListAsync();
}
