using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Identity.Credentials;

/// <summary>
/// What a holder shows a verifier: <c>{0: version, 1: credential, 2: issuer's attestation, 3: [delegation link, ...]}</c>.
/// The chain is empty when the issuer is itself trusted.
/// </summary>
public sealed record CredentialPresentation(Credential Credential, PurposeKeyAttestation Attestation, IReadOnlyList<DelegationLink> Chain)
{
    public const uint Version = 1;

    /// <summary>Bound on the whole presentation, chain included.</summary>
    public const int MaxSize = 128 * 1024;

    public byte[] Encode() => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(4);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        Credential.Write(w);
        w.WriteUInt32(2);
        Attestation.Write(w);
        w.WriteUInt32(3);
        w.WriteStartArray(Chain.Count);
        foreach (var link in Chain)
        {
            link.Write(w);
        }

        w.WriteEndArray();
        w.WriteEndMap();
    });

    /// <summary>Equal when every part is, the chain compared link by link (a record alone compares the list's reference).</summary>
    public bool Equals(CredentialPresentation? other) =>
        other is not null && Credential == other.Credential && Attestation == other.Attestation && Chain.SequenceEqual(other.Chain);

    public override int GetHashCode() => HashCode.Combine(Credential, Attestation, Chain.Count);

    /// <exception cref="OckamDecodeException">Malformed, oversized or of an unknown version.</exception>
    public static CredentialPresentation Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, MaxSize, "credential presentation", d =>
        {
            if (d.ReadMapStart(4) != 4)
            {
                throw d.Error("a credential presentation has 4 fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var credential = Credential.Read(d);
            d.ExpectKey(2);
            var attestation = PurposeKeyAttestation.Read(d);
            d.ExpectKey(3);
            var count = d.ReadArrayStart(CborLimits.MaxDelegationDepth);
            var chain = new List<DelegationLink>(count);
            for (var i = 0; i < count; i++)
            {
                chain.Add(DelegationLink.Read(d));
            }

            d.ReadArrayEnd();
            d.ReadMapEnd();
            return new CredentialPresentation(credential, attestation, chain);
        });
}
