namespace Ockam.Identity.Mls;

/// <summary>
/// The labelled structs of RFC 9420 §5.1–5.2, encoded. Each but RefHashInput prefixes its label with
/// "MLS 1.0 ", so that a value signed, derived or encrypted for one purpose is never valid for another.
/// </summary>
internal static class LabeledStructs
{
    private static ReadOnlySpan<byte> Prefix => "MLS 1.0 "u8;

    /// <summary><c>struct { uint16 length; opaque label&lt;V&gt; = "MLS 1.0 " + Label; opaque context&lt;V&gt;; } KDFLabel;</c></summary>
    public static byte[] KdfLabel(string label, ReadOnlySpan<byte> context, int length) => KdfLabel(Ascii(label), context, length);

    /// <summary>KDFLabel with a label given as bytes (MLS-Exporter's label is the application's opaque value).</summary>
    public static byte[] KdfLabel(ReadOnlySpan<byte> label, ReadOnlySpan<byte> context, int length)
    {
        if (length is < 1 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "a KDFLabel length is a uint16 of at least 1");
        }

        var writer = new MlsWriter();
        writer.WriteUInt16((ushort)length);
        writer.WriteVector([.. Prefix, .. label]);
        writer.WriteVector(context);
        return writer.ToArray();
    }

    /// <summary><c>struct { opaque label&lt;V&gt; = "MLS 1.0 " + Label; opaque content&lt;V&gt;; } SignContent;</c></summary>
    public static byte[] SignContent(string label, ReadOnlySpan<byte> content) => LabelAnd(Labeled(label), content);

    /// <summary><c>struct { opaque label&lt;V&gt; = "MLS 1.0 " + Label; opaque context&lt;V&gt;; } EncryptContext;</c></summary>
    public static byte[] EncryptContext(string label, ReadOnlySpan<byte> context) => LabelAnd(Labeled(label), context);

    /// <summary><c>struct { opaque label&lt;V&gt;; opaque value&lt;V&gt;; } RefHashInput;</c> — the label as given (callers pass "MLS 1.0 KeyPackage Reference" and the like).</summary>
    public static byte[] RefHashInput(string label, ReadOnlySpan<byte> value) => LabelAnd(Ascii(label), value);

    private static byte[] LabelAnd(ReadOnlySpan<byte> label, ReadOnlySpan<byte> value)
    {
        var writer = new MlsWriter(label.Length + value.Length + 8);
        writer.WriteVector(label);
        writer.WriteVector(value);
        return writer.ToArray();
    }

    private static byte[] Labeled(string label) => [.. Prefix, .. Ascii(label)];

    private static byte[] Ascii(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return System.Text.Encoding.ASCII.GetBytes(label);
    }
}
