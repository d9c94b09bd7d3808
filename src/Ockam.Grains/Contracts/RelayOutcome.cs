namespace Ockam.Grains.Contracts;

[GenerateSerializer, Alias("ockam.relay-outcome")]
public enum RelayOutcome
{
    Ok,

    /// <summary>The relay belongs to another identity.</summary>
    NotOwner,

    /// <summary>Nobody has claimed this name.</summary>
    Unknown,

    /// <summary>The mailbox is full: the message was refused, not dropped silently.</summary>
    MailboxFull,

    /// <summary>An ephemeral relay whose owner is gone: there is nowhere to deliver.</summary>
    Offline,

    /// <summary>The request is malformed (an acknowledgement of no sequence or of too many; a batch past its bounds).</summary>
    Malformed,
}
