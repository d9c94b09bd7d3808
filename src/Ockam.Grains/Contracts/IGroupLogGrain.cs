namespace Ockam.Grains.Contracts;

/// <summary>What rooms and topics share: ordered epochs, messages, catch-up. Not addressed on its own.</summary>
[Alias("ockam.group-log")]
public interface IGroupLogGrain : IGrainWithStringKey
{
    /// <summary>The next epoch: membership changes need an admin, a key update any member.</summary>
    [Alias("commit")]
    Task<GroupOutcome> CommitAsync(string caller, byte[] commit);

    /// <summary>Member <paramref name="member"/> names the relay (one it owns) its deliveries go to.</summary>
    [Alias("listen")]
    Task<GroupOutcome> ListenAsync(string member, string relay);

    /// <summary>Orders and fans out one group message from <paramref name="caller"/>.</summary>
    [Alias("send")]
    Task<GroupOutcome> SendAsync(string caller, byte[] message);

    /// <summary>Commits after <paramref name="afterEpoch"/> and messages after <paramref name="afterIndex"/>, in order (members only).</summary>
    [Alias("catch-up")]
    Task<GroupCatchUp> CatchUpAsync(string member, ulong afterEpoch, ulong afterIndex);

    [Alias("info")]
    Task<GroupInfo> GetInfoAsync();
}
