namespace Ockam.Grains.Contracts;

[GenerateSerializer, Alias("ockam.delivery-outcome")]
public enum DeliveryOutcome
{
    Ok,

    /// <summary>The group exists already, or the joiner is a member or waiting already.</summary>
    Exists,

    /// <summary>No such group.</summary>
    Unknown,

    NotAMember,

    /// <summary>The caller is not the member whose leaf sent the commit.</summary>
    NotSender,

    /// <summary>The roles refuse the change: only an admin adds, removes or changes the group's extensions.</summary>
    NotAdmin,

    /// <summary>A leaf the commit brings in is not signed by its identity's attested group signing key.</summary>
    Unauthenticated,

    /// <summary>Not the current epoch: another commit came first, or a message of an epoch the group has left.</summary>
    Conflict,

    /// <summary>Malformed, of another group, a signature that does not verify, or a commit MLS refuses.</summary>
    Invalid,

    /// <summary>A relay named for fan-out is unclaimed or belongs to another identity than the member it would deliver to.</summary>
    RelayNotOwned,

    /// <summary>Too many joiners waiting.</summary>
    Full,
}
