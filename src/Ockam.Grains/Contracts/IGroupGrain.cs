namespace Ockam.Grains.Contracts;

/// <summary>
/// An encrypted room (key: its name). The grain orders commits (one epoch change at a time), checks that
/// committers and senders are members and that their signatures verify, keeps a bounded log, and fans
/// out to members' relays. It holds public keys, sealed secrets and ciphertext; never a group key.
/// </summary>
[Alias("ockam.group")]
public interface IGroupGrain : IGroupLogGrain
{
    /// <summary>Creates the room from its first commit (epoch 1, the creator alone); the creator is its admin.</summary>
    [Alias("create")]
    Task<GroupOutcome> CreateAsync(string creator, byte[] commit, string? relay);
}
