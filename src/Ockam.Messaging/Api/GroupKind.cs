namespace Ockam.Messaging.Api;

/// <summary>What a <see cref="GroupId"/> names: rooms and topics share one mechanism, never one id.</summary>
public enum GroupKind
{
    Room = 1,
    Topic = 2,
}
