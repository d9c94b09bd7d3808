using System.Formats.Cbor;
using Ockam.Identity.Encoding;

namespace Ockam.Identity.Identities;

/// <summary>
/// One signed change: <c>{0: version, 1: data, 2: signature by the new key, 3: signature by the previous key?}</c>.
/// The exact data bytes are kept, since the signatures and the change hash cover them.
/// </summary>
public sealed record Change
{
    public const uint Version = 1;
    private const int SignatureLength = 64;

    internal Change(byte[] encodedData, ChangeData data, byte[] signature, byte[]? previousSignature)
    {
        EncodedData = encodedData;
        Data = data;
        Signature = signature;
        PreviousSignature = previousSignature;
    }

    public byte[] EncodedData { get; }

    public ChangeData Data { get; }

    public byte[] Signature { get; }

    public byte[]? PreviousSignature { get; }

    internal void Write(CborWriter w)
    {
        w.WriteStartMap(PreviousSignature is null ? 3 : 4);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteByteString(EncodedData);
        w.WriteUInt32(2);
        w.WriteByteString(Signature);
        if (PreviousSignature is not null)
        {
            w.WriteUInt32(3);
            w.WriteByteString(PreviousSignature);
        }

        w.WriteEndMap();
    }

    internal static Change Read(CborDecoder d)
    {
        var count = d.ReadMapStart(4);
        if (count is not (3 or 4))
        {
            throw d.Error($"a change has 3 or 4 fields, found {count}");
        }

        d.ReadVersion(Version);
        d.ExpectKey(1);
        var encoded = d.ReadBytes(1, 256);
        d.ExpectKey(2);
        var signature = d.ReadFixedBytes(SignatureLength);
        byte[]? previous = null;
        if (count == 4)
        {
            d.ExpectKey(3);
            previous = d.ReadFixedBytes(SignatureLength);
        }

        d.ReadMapEnd();
        return new Change(encoded, ChangeData.Decode(encoded), signature, previous);
    }
}
