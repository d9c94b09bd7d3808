using Ockam.Identity.Identities;

namespace Ockam.Identity.Mls;

/// <summary>A member a commit removed: its former leaf and the identifier its credential named (null if none).</summary>
internal sealed record RemovedMember(LeafIndex Leaf, Identifier? Identifier);
