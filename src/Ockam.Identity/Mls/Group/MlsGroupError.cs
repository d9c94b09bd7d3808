namespace Ockam.Identity.Mls;

/// <summary>Why the group refused a message, a Welcome or an operation (<see cref="MlsGroupException"/>).</summary>
internal enum MlsGroupError
{
    /// <summary>The message is of another group.</summary>
    WrongGroup,

    /// <summary>The message is of another epoch of this group: late, early, or from a member that missed a commit.</summary>
    WrongEpoch,

    /// <summary>The sender is not a member, or not the kind of sender this content may come from.</summary>
    NotFromMember,

    /// <summary>The message is not the content the operation expects (a commit where a proposal was expected, …).</summary>
    WrongContent,

    /// <summary>A commit names a proposal by reference that this member has not received in this epoch.</summary>
    UnknownProposal,

    /// <summary>A proposal list that §12.2 forbids, or a proposal that does not apply to the tree.</summary>
    InvalidProposals,

    /// <summary>A proposal type this implementation does not act on (ReInit, ExternalInit).</summary>
    UnsupportedProposal,

    /// <summary>A commit without the UpdatePath its proposals require (§12.4), or with an invalid one.</summary>
    InvalidPath,

    /// <summary>The authentication service refused a credential or its keys (§5.3.1).</summary>
    Unauthenticated,

    /// <summary>The membership policy refused an Add or Remove by this committer.</summary>
    Unauthorized,

    /// <summary>A PSK the commit or Welcome injects is not held.</summary>
    UnknownPsk,

    /// <summary>A ratchet tree that does not validate or does not match the GroupContext's tree hash.</summary>
    InvalidTree,

    /// <summary>The confirmation tag does not match: the committer reached another epoch than this member would.</summary>
    ForkDetected,

    /// <summary>This member was removed from the group; it takes part in no later epoch.</summary>
    Removed,

    /// <summary>Saved group state that is malformed, truncated, oversized, of another version, tampered with, or wrapped under another key.</summary>
    InvalidState,
}
