namespace Ockam.Grains.Contracts;

[GenerateSerializer, Alias("ockam.group-outcome")]
public enum GroupOutcome
{
    Ok,
    Exists,
    Unknown,
    NotAMember,

    /// <summary>Only an admin may change who is in the room.</summary>
    NotAdmin,

    /// <summary>Not the next epoch (another commit came first), or not the current epoch for a message.</summary>
    Conflict,

    /// <summary>Malformed, or a signature that does not verify, or a member's keys swapped.</summary>
    Invalid,

    /// <summary>A relay named for fan-out is unclaimed or belongs to another identity than the member it would deliver to.</summary>
    RelayNotOwned,
}
