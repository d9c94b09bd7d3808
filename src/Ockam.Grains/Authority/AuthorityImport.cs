namespace Ockam.Grains.Authority;

/// <summary>An authority's members, serials and revocations as its grain state held them before they were rows.</summary>
internal sealed class AuthorityImport
{
    public required IReadOnlyList<ImportedMember> Members { get; init; }

    public required IReadOnlyCollection<ulong> RevokedSerials { get; init; }

    public required IReadOnlyCollection<string> RevokedSubjects { get; init; }
}

/// <summary>One member as the grain state held it.</summary>
/// <param name="subject">Its identifier.</param>
/// <param name="record">Its standing, attributes and since.</param>
/// <param name="serials">Each serial with its issue and expiry times (the latest they could be, when the state kept no issue time).</param>
internal sealed class ImportedMember(string subject, MemberRecord record, IReadOnlyList<(ulong Serial, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)> serials)
{
    public string Subject { get; } = subject;

    public MemberRecord Record { get; } = record;

    public IReadOnlyList<(ulong Serial, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)> Serials { get; } = serials;
}
