namespace Ockam.Identity.Mls;

/// <summary>
/// <c>struct { ExtensionType extension_type; opaque extension_data&lt;V&gt;; } Extension;</c> (RFC 9420 §13).
/// The data is kept opaque here: what it means depends on where the extension sits, and the group layer interprets it.
/// </summary>
internal sealed class Extension
{
    public Extension(ExtensionType extensionType, ReadOnlyMemory<byte> extensionData)
    {
        ExtensionType = extensionType;
        ExtensionData = extensionData;
    }

    public ExtensionType ExtensionType { get; }

    public ReadOnlyMemory<byte> ExtensionData { get; }

    /// <summary>One extension. Its data is bounded by the enclosing vector, which <see cref="ReadList"/> bounds.</summary>
    public static Extension Read(ref MlsReader reader)
    {
        var type = (ExtensionType)reader.ReadUInt16();
        return new Extension(type, reader.ReadVectorBytes(MlsLimits.MaxTreeBytes));
    }

    /// <summary><c>Extension extensions&lt;V&gt;</c> of at most <paramref name="maxBytes"/> bytes.</summary>
    public static List<Extension> ReadList(ref MlsReader reader, int maxBytes) => reader.ReadVector(maxBytes, Read);

    public static void WriteList(MlsWriter writer, IEnumerable<Extension> extensions)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(extensions, static (w, e) => e.Write(w));
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt16((ushort)ExtensionType);
        writer.WriteVector(ExtensionData.Span);
    }
}
