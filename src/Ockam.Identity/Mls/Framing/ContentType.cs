namespace Ockam.Identity.Mls;

/// <summary><c>enum { reserved(0), application(1), proposal(2), commit(3), (255) } ContentType;</c> (RFC 9420 §6).</summary>
internal enum ContentType : byte
{
    Application = 1,
    Proposal = 2,
    Commit = 3,
}
