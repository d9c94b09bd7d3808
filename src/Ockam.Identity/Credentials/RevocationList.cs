using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Credentials;

/// <summary>
/// An issuer's signed list of revoked serials: <c>{0: version, 1: data, 2: signature, 3: attestation}</c>,
/// signed like credentials by the issuer's <c>CredentialSigning</c> key. A higher sequence replaces a lower one.
/// </summary>
public sealed record RevocationList
{
    public const uint Version = 1;

    internal RevocationList(byte[] encodedData, byte[] signature, PurposeKeyAttestation attestation)
    {
        EncodedData = encodedData;
        Data = RevocationListData.Decode(encodedData);
        Signature = signature;
        Attestation = attestation;
    }

    public byte[] EncodedData { get; }

    public RevocationListData Data { get; }

    public byte[] Signature { get; }

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

    public byte[] Encode() => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(4);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteByteString(EncodedData);
        w.WriteUInt32(2);
        w.WriteByteString(Signature);
        w.WriteUInt32(3);
        Attestation.Write(w);
        w.WriteEndMap();
    });

    /// <exception cref="OckamDecodeException">Malformed, oversized or of an unknown version.</exception>
    public static RevocationList Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, CborLimits.MaxRevocationListSize + 1024, "revocation list", d =>
        {
            if (d.ReadMapStart(4) != 4)
            {
                throw d.Error("a revocation list has 4 fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var data = d.ReadBytes(1, CborLimits.MaxRevocationListSize);
            d.ExpectKey(2);
            var signature = d.ReadFixedBytes(64);
            d.ExpectKey(3);
            var attestation = PurposeKeyAttestation.Read(d);
            d.ReadMapEnd();
            return new RevocationList(data, signature, attestation);
        });

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
}
