namespace Ockam.Identity.Mls;

/// <summary>The proposal types of RFC 9420 §12.1 (registry §17.4), a uint16 on the wire.</summary>
internal enum ProposalType : ushort
{
    Add = 1,
    Update = 2,
    Remove = 3,
    PreSharedKey = 4,
    ReInit = 5,
    ExternalInit = 6,
    GroupContextExtensions = 7,
}
