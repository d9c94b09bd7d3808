using System.Formats.Cbor;
using System.Security.Cryptography;
using Ockam.Identity.Encoding;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Identities;

/// <summary>
/// An identity's signed statement that a key serves one purpose until a time:
/// a <see cref="SignedEnvelope"/> <c>{0: version, 1: data, 2: signature}</c> with data
/// <c>{0: version, 1: subject, 2: signer_change_hash, 3: purpose, 4: public_key, 5: created_at, 6: expires_at}</c>,
/// signed by the primary key of the change named by <c>signer_change_hash</c>.
/// </summary>
public sealed record PurposeKeyAttestation
{
    public const uint Version = 1;
    private const int MaxSize = 512;
    private const int MaxDataSize = 256;

    /// <summary>A SHA-256 change hash.</summary>
    private const int HashLength = 32;

    /// <summary>An Ed25519 or X25519 public key: both are 32 bytes.</summary>
    private const int KeyLength = 32;

    private readonly SignedEnvelope envelope;

    /// <summary>Takes the arrays without copying them: each must be fresh.</summary>
    internal PurposeKeyAttestation(byte[] encodedData, byte[] signature)
        : this(new SignedEnvelope(ByteString.Own(encodedData), ByteString.Own(signature)))
    {
    }

    private PurposeKeyAttestation(SignedEnvelope envelope)
    {
        this.envelope = envelope;
        var data = CborDecoder.Decode(envelope.Data.AsMemory(), MaxDataSize, "attestation data", ReadData);
        (Subject, SignerChangeHash, Purpose, PublicKey, CreatedAt, ExpiresAt) = data;
    }

    public ByteString EncodedData => envelope.Data;

    public ByteString Signature => envelope.Signature;

    public Identifier Subject { get; }

    public ByteString SignerChangeHash { get; }

    public Purpose Purpose { get; }

    public ByteString PublicKey { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset ExpiresAt { get; }

    public byte[] Encode() => CborEncoder.Encode(Write);

    /// <exception cref="OckamDecodeException">Malformed, oversized or of an unknown version.</exception>
    public static PurposeKeyAttestation Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, MaxSize, "purpose key attestation", Read);

    /// <summary>
    /// Verifies the attestation against its subject's verified history: right subject and purpose, signed by
    /// a key of the history while that key was current, not voided by a later <c>revoke_purpose_keys</c>
    /// or a revocation, and valid now.
    /// </summary>
    /// <exception cref="IdentityException">The attestation is not valid.</exception>
    public VerifiedPurposeKey Verify(VerifiedIdentity subject, Purpose purpose, IVault vault, DateTimeOffset now, TimeSpan? clockSkew = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(vault);
        var skew = clockSkew ?? ChangeHistory.DefaultClockSkew;
        if (Subject != subject.Identifier)
        {
            throw Fail(IdentityError.AttestationWrongSubject, $"attests a key of {Subject}, not of {subject.Identifier}");
        }

        if (Purpose != purpose)
        {
            throw Fail(IdentityError.AttestationWrongPurpose, $"attests a {Purpose} key, not a {purpose} key");
        }

        if (subject.IsRevoked)
        {
            throw Fail(IdentityError.Revoked, $"{Subject} is revoked");
        }

        var changes = subject.History.Changes;
        var signer = -1;
        for (var i = 0; i < changes.Count && signer < 0; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(ChangeHistory.ChangeHash(changes[i]), SignerChangeHash))
            {
                signer = i;
            }
        }

        if (signer < 0)
        {
            throw Fail(IdentityError.AttestationUnknownSigner, "is signed by a key that is not in the subject's history");
        }

        if (signer < subject.PurposeKeysValidFrom)
        {
            throw Fail(IdentityError.PurposeKeysRevoked, "was voided by a later rotation that revoked purpose keys");
        }

        var signerData = changes[signer].Data;
        var superseded = signer + 1 < changes.Count ? changes[signer + 1].Data.CreatedAt : DateTimeOffset.MaxValue;
        if (CreatedAt < signerData.CreatedAt || CreatedAt > signerData.ExpiresAt || CreatedAt > superseded)
        {
            throw Fail(IdentityError.SignedWithExpiredKey, "was made when its signing key was not current");
        }

        if (!vault.Verify(signerData.PrimaryPublicKey, SigningDomain.ToBeSigned(SigningDomain.Attestation, EncodedData), Signature))
        {
            throw Fail(IdentityError.AttestationBadSignature, "has an invalid signature");
        }

        CheckValidAt(now, skew);
        return new VerifiedPurposeKey(Subject, Purpose, PublicKey, ExpiresAt);
    }

    /// <summary>
    /// The part of <see cref="Verify"/> that moves with time: the attestation is in force at <paramref name="now"/>
    /// (<paramref name="clockSkew"/> allowed before its creation). Alone, for one verified before against the same history.
    /// </summary>
    /// <exception cref="IdentityException">Not yet valid, or expired.</exception>
    internal void CheckValidAt(DateTimeOffset now, TimeSpan clockSkew)
    {
        if (now + clockSkew < CreatedAt)
        {
            throw Fail(IdentityError.AttestationNotYetValid, $"is not valid before {CreatedAt:O}");
        }

        if (now > ExpiresAt)
        {
            throw Fail(IdentityError.AttestationExpired, $"expired at {ExpiresAt:O}");
        }
    }

    internal static byte[] EncodeData(Identifier subject, byte[] signerChangeHash, Purpose purpose, byte[] publicKey, DateTimeOffset createdAt, DateTimeOffset expiresAt) =>
        CborEncoder.Encode(w =>
        {
            w.WriteStartMap(7);
            w.WriteUInt32(0);
            w.WriteUInt32(Version);
            w.WriteUInt32(1);
            w.WriteByteString(subject.ToBytes());
            w.WriteUInt32(2);
            w.WriteByteString(signerChangeHash);
            w.WriteUInt32(3);
            w.WriteUInt32((uint)purpose);
            w.WriteUInt32(4);
            w.WriteByteString(publicKey);
            w.WriteUInt32(5);
            w.WriteTimestamp(createdAt);
            w.WriteUInt32(6);
            w.WriteTimestamp(expiresAt);
            w.WriteEndMap();
        });

    internal void Write(CborWriter w) => envelope.Write(w, Version);

    internal static PurposeKeyAttestation Read(CborDecoder d) =>
        SignedEnvelope.Read(d, "an attestation", Version, MaxDataSize, static (_, envelope, _) => new PurposeKeyAttestation(envelope));

    private static (Identifier, ByteString, Purpose, ByteString, DateTimeOffset, DateTimeOffset) ReadData(CborDecoder d)
    {
        if (d.ReadMapStart(7) != 7)
        {
            throw d.Error("attestation data has 7 fields");
        }

        d.ReadVersion(Version);
        d.ExpectKey(1);
        var subject = Identifier.Read(d);
        d.ExpectKey(2);
        var signer = ByteString.Own(d.ReadFixedBytes(HashLength));
        d.ExpectKey(3);
        var purpose = (Purpose)d.ReadUInt32();
        if (!Enum.IsDefined(purpose))
        {
            throw d.Error($"unknown purpose {(uint)purpose}");
        }

        d.ExpectKey(4);
        var key = ByteString.Own(d.ReadFixedBytes(KeyLength));
        d.ExpectKey(5);
        var created = d.ReadTimestamp();
        d.ExpectKey(6);
        var expires = d.ReadTimestamp();
        d.ReadMapEnd();
        return (subject, signer, purpose, key, created, expires);
    }

    private IdentityException Fail(IdentityError error, string message) => new(error, $"{Purpose} attestation for {Subject} {message}");
}
