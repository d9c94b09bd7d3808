using System.Formats.Cbor;
using Ockam.Identity.Encoding;

namespace Ockam.Identity.Credentials;

/// <summary>
/// Signed attributes about a subject: <c>{0: version, 1: data, 2: signature}</c>, the signature by the
/// issuer's <c>CredentialSigning</c> purpose key over the exact data bytes. An endorsement is the same
/// structure from an issuer that is not an authority.
/// </summary>
public sealed record Credential
{
    public const uint Version = 1;

    internal Credential(byte[] encodedData, byte[] signature)
    {
        EncodedData = encodedData;
        Data = CredentialData.Decode(encodedData);
        Signature = signature;
    }

    public byte[] EncodedData { get; }

    public CredentialData Data { get; }

    public byte[] Signature { get; }

    internal void Write(CborWriter w)
    {
        w.WriteStartMap(3);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteByteString(EncodedData);
        w.WriteUInt32(2);
        w.WriteByteString(Signature);
        w.WriteEndMap();
    }

    internal static Credential Read(CborDecoder d)
    {
        if (d.ReadMapStart(3) != 3)
        {
            throw d.Error("a credential has 3 fields");
        }

        d.ReadVersion(Version);
        d.ExpectKey(1);
        var data = d.ReadBytes(1, CborLimits.MaxCredentialSize);
        d.ExpectKey(2);
        var signature = d.ReadFixedBytes(64);
        d.ReadMapEnd();
        return new Credential(data, signature);
    }
}
