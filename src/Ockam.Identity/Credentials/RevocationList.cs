using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Credentials;

/// <summary>
/// An issuer's signed list of revoked serials: a <see cref="SignedEnvelope"/> <c>{0: version, 1: data, 2: signature, 3: attestation}</c>,
/// signed like credentials by the issuer's <c>CredentialSigning</c> key. A higher sequence replaces a lower one.
/// </summary>
public sealed record RevocationList
{
    public const uint Version = 1;

    /// <summary>Room for the envelope and the attestation around the largest data.</summary>
    private const int MaxEnvelopeOverhead = 1024;

    private readonly SignedEnvelope envelope;

    /// <summary>Takes the arrays without copying them: each must be fresh.</summary>
    internal RevocationList(byte[] encodedData, byte[] signature, PurposeKeyAttestation attestation)
        : this(new SignedEnvelope(ByteString.Own(encodedData), ByteString.Own(signature)), attestation)
    {
    }

    private RevocationList(SignedEnvelope envelope, PurposeKeyAttestation attestation)
    {
        this.envelope = envelope;
        Data = RevocationListData.Decode(envelope.Data.AsMemory());
        Attestation = attestation;
    }

    public ByteString EncodedData => envelope.Data;

    public RevocationListData Data { get; }

    public ByteString Signature => envelope.Signature;

    public PurposeKeyAttestation Attestation { get; }

    /// <summary>Whether <paramref name="serial"/> is revoked; decoded serials are strictly ascending, so this is a binary search.</summary>
    public bool IsRevoked(ulong serial)
    {
        var serials = Data.RevokedSerials;
        int low = 0, high = serials.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (serials[middle] == serial)
            {
                return true;
            }

            (low, high) = serials[middle] < serial ? (middle + 1, high) : (low, middle - 1);
        }

        return false;
    }

    public byte[] Encode() => CborEncoder.Encode(w => envelope.Write(w, Version, 1, writer =>
    {
        writer.WriteUInt32(SignedEnvelope.FirstOwnFieldKey);
        Attestation.Write(writer);
    }));

    /// <exception cref="OckamDecodeException">Malformed, oversized or of an unknown version.</exception>
    public static RevocationList Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, CborLimits.MaxRevocationListSize + MaxEnvelopeOverhead, "revocation list", decoder =>
            SignedEnvelope.Read(decoder, "a revocation list", Version, CborLimits.MaxRevocationListSize, static (d, envelope, _) => ReadAttestation(d, envelope), minOwnFields: 1, maxOwnFields: 1));

    /// <summary>Verifies the list's signing key against the issuer's history and the signature over its data.</summary>
    /// <exception cref="CredentialException">The list is not validly signed by <paramref name="issuer"/>.</exception>
    public void Verify(VerifiedIdentity issuer, IVault vault, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(vault);
        if (Data.Issuer != issuer.Identifier)
        {
            throw new CredentialException(CredentialError.UntrustedIssuer, $"revocation list of {Data.Issuer} checked against {issuer.Identifier}");
        }

        VerifiedPurposeKey key;
        try
        {
            key = Attestation.Verify(issuer, Purpose.CredentialSigning, vault, now);
        }
        catch (IdentityException e)
        {
            throw new CredentialException(CredentialError.BadAttestation, $"revocation list signing key: {e.Message}", e);
        }

        if (!vault.Verify(key.PublicKey, SigningDomain.ToBeSigned(SigningDomain.RevocationList, EncodedData), Signature))
        {
            throw new CredentialException(CredentialError.BadSignature, $"revocation list of {Data.Issuer} has an invalid signature");
        }
    }

    private static RevocationList ReadAttestation(CborDecoder d, SignedEnvelope envelope)
    {
        d.ExpectKey(SignedEnvelope.FirstOwnFieldKey);
        return new RevocationList(envelope, PurposeKeyAttestation.Read(d));
    }
}
