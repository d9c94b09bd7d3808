using Ockam.Grains.Contracts;

namespace Ockam.Grains.Authority;

/// <summary>
/// One identity's row at an authority: its standing, what its credentials carry, and since when. A class, not a
/// record: its attributes are byte arrays, which a record's equality would compare by reference.
/// </summary>
/// <param name="status">Never <see cref="MemberStatus.NotAMember"/>: such an identity has no row.</param>
/// <param name="attributes">What its credentials carry (none once revoked as a member).</param>
/// <param name="since">When its current standing (attributes, readmission) began: tokens it created before then do not outlive the change.</param>
internal sealed class MemberRecord(MemberStatus status, IReadOnlyDictionary<string, byte[]> attributes, DateTimeOffset since)
{
    public MemberStatus Status { get; } = status;

    public IReadOnlyDictionary<string, byte[]> Attributes { get; } = attributes;

    public DateTimeOffset Since { get; } = since;

    /// <summary>Whether it holds exactly <paramref name="other"/>.</summary>
    public bool Holds(IReadOnlyDictionary<string, byte[]> other) =>
        Attributes.Count == other.Count && Attributes.All(p => other.TryGetValue(p.Key, out var value) && value.AsSpan().SequenceEqual(p.Value));
}
