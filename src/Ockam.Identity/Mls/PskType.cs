namespace Ockam.Identity.Mls;

/// <summary><c>enum { reserved(0), external(1), resumption(2), (255) } PSKType;</c> (RFC 9420 §8.4).</summary>
internal enum PskType : byte
{
    External = 1,
    Resumption = 2,
}
