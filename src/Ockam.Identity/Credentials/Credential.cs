using System.Formats.Cbor;
using Ockam.Identity.Encoding;

namespace Ockam.Identity.Credentials;

/// <summary>
/// Signed attributes about a subject: a <see cref="SignedEnvelope"/> <c>{0: version, 1: data, 2: signature}</c>,
/// the signature by the issuer's <c>CredentialSigning</c> purpose key over the exact data bytes. An endorsement
/// is the same structure from an issuer that is not an authority.
/// </summary>
public sealed record Credential
{
    public const uint Version = 1;

    private readonly SignedEnvelope envelope;

    /// <summary>Takes the arrays without copying them: each must be fresh.</summary>
    internal Credential(byte[] encodedData, byte[] signature)
        : this(new SignedEnvelope(ByteString.Own(encodedData), ByteString.Own(signature)))
    {
    }

    private Credential(SignedEnvelope envelope)
    {
        this.envelope = envelope;
        Data = CredentialData.Decode(envelope.Data.AsMemory());
    }

    public ByteString EncodedData => envelope.Data;

    public CredentialData Data { get; }

    public ByteString Signature => envelope.Signature;

    internal void Write(CborWriter w) => envelope.Write(w, Version);

    internal static Credential Read(CborDecoder d) =>
        SignedEnvelope.Read(d, "a credential", Version, CborLimits.MaxCredentialSize, static (_, envelope, _) => new Credential(envelope));
}
