namespace Ockam.Messaging.Api;

/// <summary>How a request ended. Every request gets one, never a dropped connection.</summary>
public enum ApiStatus : uint
{
    Ok = 0,

    /// <summary>Malformed, or missing an argument.</summary>
    BadRequest = 1,

    /// <summary>The policy for this operation does not allow this caller.</summary>
    Denied = 2,

    TokenUnknown = 3,
    TokenExpired = 4,
    TokenUsed = 5,

    /// <summary>The caller has not enrolled (or was removed).</summary>
    NotAMember = 6,

    /// <summary>A published identity history was refused (invalid, a rollback, a fork).</summary>
    Rejected = 7,

    /// <summary>The request is larger than the gateway accepts.</summary>
    TooLarge = 8,

    /// <summary>The service failed; retrying later may succeed.</summary>
    Unavailable = 9,

    /// <summary>The relay belongs to another identity.</summary>
    NotOwner = 10,

    /// <summary>No relay by that name.</summary>
    UnknownRelay = 11,

    /// <summary>The identity was revoked: it enrols and gets credentials no more, until an admin readmits it.</summary>
    Revoked = 12,

    /// <summary>A credential of this member was revoked: no fresh credential until an admin readmits it.</summary>
    Suspended = 13,

    /// <summary>This channel sent more requests than the gateway takes from one channel; slow down and retry.</summary>
    TooManyRequests = 14,
}
