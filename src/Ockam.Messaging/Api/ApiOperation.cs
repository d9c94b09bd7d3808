namespace Ockam.Messaging.Api;

/// <summary>What an edge node asks of the silo's gateway, over a secure channel; each has its request and response records in <c>Operations</c>.</summary>
public enum ApiOperation : uint
{
    /// <summary>Redeem an enrolment token (<c>token</c>) for this identity's first credential.</summary>
    Enroll = 1,

    /// <summary>A fresh credential for an enrolled identity.</summary>
    GetCredential = 2,

    /// <summary>Publish this identity's rotated or revoked history (<c>history</c>).</summary>
    PublishIdentity = 3,

    /// <summary>
    /// Create an enrolment token granting attributes (<c>attributes</c>…) to up to
    /// <c>uses</c> identities; admins, and enrollers within their delegation.
    /// </summary>
    CreateToken = 4,

    /// <summary>Revoke a credential (<c>serial</c>) or a member (<c>subject</c>); admins only.</summary>
    Revoke = 5,

    /// <summary>The authority's current signed revocation list.</summary>
    GetRevocationList = 6,

    /// <summary>The authority's change history, to trust it.</summary>
    GetAuthority = 7,

    /// <summary>Claim relay <c>relay</c> (the credential must name it in <c>ockam.relay</c>).</summary>
    CreateRelay = 8,

    /// <summary>Receive what reaches an owned relay over this channel, mailbox first.</summary>
    ListenRelay = 9,

    /// <summary>Acknowledge the relayed message <c>sequence</c>.</summary>
    AcknowledgeRelay = 10,

    /// <summary>Whether relay <c>relay</c> exists and its owner is online (<c>owner</c>, <c>online</c>).</summary>
    GetRelay = 11,

    /// <summary>Publish this identity's group key attestations (<c>agreement</c>, <c>signing</c>).</summary>
    PublishGroupKeys = 12,

    /// <summary>An identity's history and group key attestations (<c>subject</c>), to invite it.</summary>
    GetGroupKeys = 13,

    /// <summary>Create room <c>room</c> from its MLS group of epoch 0 (<c>group-info</c>, <c>ratchet-tree</c>).</summary>
    CreateRoom = 14,

    /// <summary>A room's next epoch (<c>commit</c>, and the <c>welcome</c> of the members it adds).</summary>
    CommitRoom = 15,

    /// <summary>Send a group message to a room.</summary>
    SendRoom = 16,

    /// <summary>The room's log after <c>index</c>, commits and messages in one order (<c>entries</c>, <c>more</c>).</summary>
    CatchUpRoom = 17,

    /// <summary>A room's epoch and members.</summary>
    GetRoom = 18,

    /// <summary>Create a topic: a room with <c>subscribe-policy</c> and <c>publish-policy</c> (ABAC over credentials).</summary>
    CreateTopic = 19,

    /// <summary>Ask to join a topic; allowed if the caller's credentials satisfy its subscribe policy, then added by an admin's commit.</summary>
    SubscribeTopic = 20,

    /// <summary>Lift a suspension or a revocation of identity <c>subject</c>; admins only.</summary>
    Readmit = 21,

    /// <summary>A member names where its deliveries of a room or topic go (its relay, or its connection's).</summary>
    ListenRoom = 22,

    /// <summary>Publish this identity's MLS KeyPackages (<c>key-packages</c>); answers how many the silo holds (<c>held</c>).</summary>
    PublishKeyPackages = 23,

    /// <summary>Claim (and so consume) one KeyPackage of identity <c>subject</c>, with its history and GroupSigning attestation, to invite it.</summary>
    ClaimKeyPackage = 24,

    /// <summary>The Welcome that adds the caller to a room or topic (<c>welcome</c>, <c>epoch</c>, <c>index</c>, <c>tree-length</c>).</summary>
    GetWelcome = 25,

    /// <summary>A page of a room's ratchet tree of <c>epoch</c> from <c>offset</c>, for a joiner.</summary>
    GetRoomTree = 26,
}
