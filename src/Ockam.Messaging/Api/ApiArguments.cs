namespace Ockam.Messaging.Api;

/// <summary>Names of request arguments and response results (each a byte string; numbers as UTF-8 decimal).</summary>
public static class ApiArguments
{
    public const string Token = "token";
    public const string History = "history";
    public const string Serial = "serial";
    public const string Subject = "subject";
    public const string Credential = "credential";
    public const string RevocationList = "revocation-list";
    public const string Authority = "authority";
    public const string ValidForSeconds = "valid-for-seconds";

    /// <summary>How many distinct identities a token may enrol (default 1).</summary>
    public const string Uses = "uses";
    public const string Relay = "relay";
    public const string Sequence = "sequence";
    public const string Owner = "owner";
    public const string Online = "online";
    public const string Room = "room";

    /// <summary>Names a topic instead of a room in the room operations (commit, send, catch-up, get).</summary>
    public const string Topic = "topic";
    public const string Commit = "commit";
    public const string Message = "message";
    public const string Epoch = "epoch";
    public const string Index = "index";
    public const string Agreement = "agreement";
    public const string Signing = "signing";
    public const string Members = "members";
    public const string RelayPrefix = "relay:";
    public const string Pending = "pending";
    public const string SubscribePolicy = "subscribe-policy";
    public const string PublishPolicy = "publish-policy";

    /// <summary>"true" in a catch-up answer when the room holds more: ask again after the last commit's epoch and message index.</summary>
    public const string More = "more";

    /// <summary>
    /// "attribute:ockam.role" = "sensor": one argument per attribute a token grants, as UTF-8 text. The
    /// delegation attribute is written as comma-separated names ("attribute:ockam.delegate" = "ockam.role,floor");
    /// the gateway turns it into the identity core's encoding.
    /// </summary>
    public const string AttributePrefix = "attribute:";
}
