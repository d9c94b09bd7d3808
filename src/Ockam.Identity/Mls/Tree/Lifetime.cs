namespace Ockam.Identity.Mls;

/// <summary><c>struct { uint64 not_before; uint64 not_after; } Lifetime;</c> (RFC 9420 §7.2): seconds since the Unix epoch.</summary>
internal sealed class Lifetime
{
    public Lifetime(ulong notBefore, ulong notAfter)
    {
        NotBefore = notBefore;
        NotAfter = notAfter;
    }

    public ulong NotBefore { get; }

    public ulong NotAfter { get; }

    public static Lifetime Read(ref MlsReader reader)
    {
        var notBefore = reader.ReadUInt64();
        return new Lifetime(notBefore, reader.ReadUInt64());
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt64(NotBefore);
        writer.WriteUInt64(NotAfter);
    }
}
