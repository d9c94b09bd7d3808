namespace Ockam.Grains.Contracts;

/// <summary>
/// The MLS Delivery Service of one room or topic (key: its <c>GroupId.Value</c>, <c>room:x</c> or <c>topic:x</c>, so a
/// room and a topic never share one): it keeps the group's public state (GroupContext, ratchet tree, transcript),
/// checks every commit as far as a party without the group's keys can, orders commits and application messages in
/// one log, keeps Welcomes and the trees joiners need, and fans deliveries out to the relays members own. Callers are
/// identifiers the gateway proved; the grain holds no group secret and reads no message.
/// </summary>
[Alias("ockam.delivery-service")]
public interface IDeliveryServiceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the group from its creator's signed GroupInfo of epoch 0 (an MLSMessage) and the group's ratchet tree:
    /// the creator is the only member and an admin of the group's roles. <paramref name="relay"/>, if any, is a relay
    /// the creator owns; the policies are a topic's, enforced by the gateway.
    /// </summary>
    [Alias("create")]
    Task<DeliveryOutcome> CreateAsync(string creator, byte[] groupInfo, byte[] ratchetTree, string? relay, string? subscribePolicy, string? publishPolicy);

    /// <summary>
    /// The next epoch: a PublicMessage commit (an MLSMessage) whose sender leaf is <paramref name="caller"/>'s, with the
    /// Welcome (an MLSMessage) for the members it adds. The first valid commit of an epoch wins; a later one for that
    /// epoch gets <see cref="DeliveryOutcome.Conflict"/> and the winner's bytes.
    /// </summary>
    [Alias("commit")]
    Task<CommitResult> CommitAsync(string caller, byte[] commit, byte[]? welcome);

    /// <summary>Orders and fans out one PrivateMessage (an MLSMessage) of the current epoch from member <paramref name="caller"/>.</summary>
    [Alias("send")]
    Task<SendResult> SendAsync(string caller, byte[] message);

    /// <summary>Member <paramref name="member"/> names the relay (one it owns) its deliveries go to.</summary>
    [Alias("listen")]
    Task<DeliveryOutcome> ListenAsync(string member, string relay);

    /// <summary>
    /// <paramref name="identifier"/> asks to join (a topic's subscriber the gateway's policy admitted): it waits for an
    /// admin's commit, and its deliveries go to <paramref name="relay"/>, one it owns.
    /// </summary>
    [Alias("request-join")]
    Task<DeliveryOutcome> RequestJoinAsync(string identifier, string? relay);

    /// <summary>
    /// <paramref name="relay"/>, named by a member or a joiner, is connected through <paramref name="gateway"/> (said
    /// when the route is named, and again when an entry reached the relay's owner through the relay's grain): live
    /// deliveries for it go there, in one call per entry for all the group's relays that gateway holds. Naming a relay
    /// again forgets where it was connected until its gateway says so again; a relay no member or joiner named is
    /// ignored. Kept in memory only: after the grain's activation goes, deliveries go through each relay's grain until
    /// the gateways say so again.
    /// </summary>
    [Alias("route-through")]
    Task RouteThroughAsync(string relay, IGroupGateway gateway);

    /// <summary>One page of the log after <paramref name="afterIndex"/>: members, and a removed member for the commit that removed it.</summary>
    [Alias("read")]
    Task<LogPage> ReadAsync(string member, ulong afterIndex);

    /// <summary>The latest Welcome kept for <paramref name="joiner"/>, or null.</summary>
    [Alias("welcome")]
    Task<WelcomeResult?> GetWelcomeAsync(string joiner);

    /// <summary>
    /// A chunk, from <paramref name="offset"/>, of the encoded ratchet tree of <paramref name="epoch"/>: for a joiner
    /// with a Welcome of that epoch, or a member for the current epoch.
    /// </summary>
    [Alias("tree")]
    Task<TreeChunk> GetTreeAsync(string caller, ulong epoch, int offset);

    [Alias("info")]
    Task<DeliveryInfo> GetInfoAsync();
}
