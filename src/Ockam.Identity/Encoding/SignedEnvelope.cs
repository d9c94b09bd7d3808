using System.Formats.Cbor;

namespace Ockam.Identity.Encoding;

/// <summary>
/// The one layout of every signed structure (change, purpose key attestation, credential, revocation list):
/// <c>{0: version, 1: data, 2: signature, 3…: the structure's own fields}</c>. The signature covers the exact
/// data bytes under the structure's <see cref="SigningDomain"/> label, so the data travels as a byte string and
/// is kept as it came: encoding it again could change what was signed.
/// </summary>
internal sealed record SignedEnvelope
{
    /// <summary>An Ed25519 signature (RFC 8032 §5.1.6), the suite's only signature (DESIGN.md §3).</summary>
    public const int SignatureSize = 64;

    /// <summary>The key of a structure's first own field, after version, data and signature.</summary>
    public const uint FirstOwnFieldKey = 3;

    private const uint VersionKey = 0;
    private const uint DataKey = 1;
    private const uint SignatureKey = 2;
    private const int CommonFields = 3;

    /// <summary>Empty data is never a signed statement: every structure's data is a versioned map.</summary>
    private const int MinDataSize = 1;

    public SignedEnvelope(ByteString data, ByteString signature)
    {
        if (data.Length < MinDataSize)
        {
            throw new ArgumentException("signed data may not be empty", nameof(data));
        }

        if (signature.Length != SignatureSize)
        {
            throw new ArgumentException($"a signature is {SignatureSize} bytes, not {signature.Length}", nameof(signature));
        }

        Data = data;
        Signature = signature;
    }

    /// <summary>The encoded data, exactly as signed.</summary>
    public ByteString Data { get; }

    public ByteString Signature { get; }

    /// <summary>
    /// Writes <c>{0: version, 1: data, 2: signature}</c> followed by <paramref name="ownFields"/> fields, which
    /// <paramref name="writeOwnFields"/> writes with their keys from <see cref="FirstOwnFieldKey"/> on.
    /// </summary>
    public void Write(CborWriter writer, uint version, int ownFields = 0, Action<CborWriter>? writeOwnFields = null)
    {
        writer.WriteStartMap(CommonFields + ownFields);
        writer.WriteUInt32(VersionKey);
        writer.WriteUInt32(version);
        writer.WriteUInt32(DataKey);
        writer.WriteByteString(Data.AsSpan());
        writer.WriteUInt32(SignatureKey);
        writer.WriteByteString(Signature.AsSpan());
        writeOwnFields?.Invoke(writer);
        writer.WriteEndMap();
    }

    /// <summary>
    /// Reads an envelope of <paramref name="version"/> whose data is at most <paramref name="maxDataSize"/> bytes and
    /// which has between <paramref name="minOwnFields"/> and <paramref name="maxOwnFields"/> own fields;
    /// <paramref name="readOwnFields"/> reads those (it is told how many) and builds the structure.
    /// </summary>
    /// <exception cref="OckamDecodeException">Another layout, version, data size or signature size.</exception>
    public static T Read<T>(
        CborDecoder decoder,
        string structure,
        uint version,
        int maxDataSize,
        Func<CborDecoder, SignedEnvelope, int, T> readOwnFields,
        int minOwnFields = 0,
        int maxOwnFields = 0)
    {
        var count = decoder.ReadMapStart(CommonFields + maxOwnFields);
        if (count < CommonFields + minOwnFields)
        {
            throw decoder.Error(minOwnFields == maxOwnFields
                ? $"{structure} has {CommonFields + minOwnFields} fields, found {count}"
                : $"{structure} has {CommonFields + minOwnFields} to {CommonFields + maxOwnFields} fields, found {count}");
        }

        decoder.ReadVersion(version);
        decoder.ExpectKey(DataKey);
        var data = ByteString.Own(decoder.ReadBytes(MinDataSize, maxDataSize));
        decoder.ExpectKey(SignatureKey);
        var envelope = new SignedEnvelope(data, ReadSignature(decoder));
        var value = readOwnFields(decoder, envelope, count - CommonFields);
        decoder.ReadMapEnd();
        return value;
    }

    /// <summary>Reads one signature: a byte string of exactly <see cref="SignatureSize"/> bytes.</summary>
    public static ByteString ReadSignature(CborDecoder decoder) => ByteString.Own(decoder.ReadFixedBytes(SignatureSize));
}
