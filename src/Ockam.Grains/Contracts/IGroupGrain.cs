namespace Ockam.Grains.Contracts;

/// <summary>
/// An encrypted room (key: its name). The grain orders commits (one epoch change at a time), checks that
/// committers and senders are members and that their signatures verify, keeps a bounded log, and fans
/// out to members' relays. It holds public keys, sealed secrets and ciphertext; never a group key.
/// </summary>
[Alias("ockam.group")]
public interface IGroupGrain : IGrainWithStringKey
{
    /// <summary>Creates the room from its first commit (epoch 1, the creator alone); the creator is its admin.</summary>
    [Alias("create")]
    Task<GroupOutcome> CreateAsync(string creator, byte[] commit, string? relay);

    /// <summary>The next epoch: membership changes need an admin, a key update any member. <paramref name="relays"/> names new members' relays.</summary>
    [Alias("commit")]
    Task<GroupOutcome> CommitAsync(string caller, byte[] commit, IReadOnlyDictionary<string, string> relays);

    /// <summary>Orders and fans out one group message from <paramref name="caller"/>.</summary>
    [Alias("send")]
    Task<GroupOutcome> SendAsync(string caller, byte[] message);

    /// <summary>Commits after <paramref name="afterEpoch"/> and messages after <paramref name="afterIndex"/>, in order (members only).</summary>
    [Alias("catch-up")]
    Task<GroupCatchUp> CatchUpAsync(string member, ulong afterEpoch, ulong afterIndex);

    [Alias("info")]
    Task<GroupInfo> GetInfoAsync();
}
