namespace Ockam.Identity.Mls;

/// <summary><c>struct { ProposalOrRef proposals&lt;V&gt;; optional&lt;UpdatePath&gt; path; } Commit;</c> (RFC 9420 §12.4).</summary>
internal sealed class Commit
{
    public Commit(IReadOnlyList<ProposalOrRef> proposals, UpdatePath? path)
    {
        ArgumentNullException.ThrowIfNull(proposals);
        Proposals = proposals;
        Path = path;
    }

    public IReadOnlyList<ProposalOrRef> Proposals { get; }

    public UpdatePath? Path { get; }

    public static Commit Decode(ReadOnlySpan<byte> encoded) => MlsReader.DecodeExact(encoded, Read);

    public static Commit Read(ref MlsReader reader)
    {
        var proposals = reader.ReadVector(MlsLimits.MaxTreeBytes, ProposalOrRef.Read);
        return new Commit(proposals, reader.ReadOptional(UpdatePath.Read));
    }

    public byte[] Encode() => MlsWriter.Encode(Write);

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(Proposals, static (w, p) => p.Write(w));
        writer.WriteOptional(Path, static (w, p) => p.Write(w));
    }
}
