using System.Formats.Cbor;
using Ockam.Identity.Encoding;

namespace Ockam.Identity.Identities;

/// <summary>
/// One signed change: a <see cref="SignedEnvelope"/> <c>{0: version, 1: data, 2: signature by the new key,
/// 3: signature by the previous key?}</c>. The exact data bytes are kept, since the signatures and the change hash cover them.
/// </summary>
public sealed record Change
{
    public const uint Version = 1;
    private const int MaxDataSize = 256;

    private readonly SignedEnvelope envelope;

    /// <summary>Takes the arrays without copying them: each must be fresh.</summary>
    internal Change(byte[] encodedData, ChangeData data, byte[] signature, byte[]? previousSignature)
        : this(new SignedEnvelope(ByteString.Own(encodedData), ByteString.Own(signature)), data, previousSignature is null ? null : ByteString.Own(previousSignature))
    {
    }

    private Change(SignedEnvelope envelope, ChangeData data, ByteString? previousSignature)
    {
        if (previousSignature is { Length: not SignedEnvelope.SignatureSize })
        {
            throw new ArgumentException($"a signature is {SignedEnvelope.SignatureSize} bytes", nameof(previousSignature));
        }

        this.envelope = envelope;
        Data = data;
        PreviousSignature = previousSignature;
    }

    public ByteString EncodedData => envelope.Data;

    public ChangeData Data { get; }

    public ByteString Signature => envelope.Signature;

    public ByteString? PreviousSignature { get; }

    internal void Write(CborWriter w)
    {
        if (PreviousSignature is not { } previous)
        {
            envelope.Write(w, Version);
            return;
        }

        envelope.Write(w, Version, 1, writer =>
        {
            writer.WriteUInt32(SignedEnvelope.FirstOwnFieldKey);
            writer.WriteByteString(previous.AsSpan());
        });
    }

    internal static Change Read(CborDecoder d) => SignedEnvelope.Read(d, "a change", Version, MaxDataSize, ReadOwnFields, minOwnFields: 0, maxOwnFields: 1);

    private static Change ReadOwnFields(CborDecoder d, SignedEnvelope envelope, int count)
    {
        ByteString? previous = null;
        if (count == 1)
        {
            d.ExpectKey(SignedEnvelope.FirstOwnFieldKey);
            previous = SignedEnvelope.ReadSignature(d);
        }

        return new Change(envelope, ChangeData.Decode(envelope.Data.AsMemory()), previous);
    }
}
