using System.Formats.Cbor;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Groups;

/// <summary>
/// A new epoch: its number, the full member list with their attested group keys, and for each member
/// the epoch secret sealed to it (HPKE). Signed by the committer's group signing key.
/// Encoded <c>{0: version, 1: body, 2: signature}</c>; body <c>{0: version, 1: group, 2: epoch, 3: committer,
/// 4: [[identifier, agreement key, signing key]...], 5: [[identifier, enc, sealed secret]...]}</c>.
/// </summary>
public sealed record GroupCommit(byte[] EncodedBody, byte[] Signature)
{
    public const uint Version = 1;
    public const int MaxMembers = 10_000;
    public const int MaxSize = 4 * 1024 * 1024;
    private const int MaxGroupName = 128;

    public GroupCommitBody Body { get; } = DecodeBody(EncodedBody);

    /// <summary>Whether the signature is the one <paramref name="signingKey"/> (the committer's attested key) makes over the body.</summary>
    public bool IsSignedBy(IVault vault, ReadOnlySpan<byte> signingKey)
    {
        ArgumentNullException.ThrowIfNull(vault);
        return vault.Verify(signingKey, SigningDomain.ToBeSigned(SigningDomain.GroupCommit, EncodedBody), Signature);
    }

    public byte[] Encode() => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(3);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteByteString(EncodedBody);
        w.WriteUInt32(2);
        w.WriteByteString(Signature);
        w.WriteEndMap();
    });

    /// <exception cref="OckamDecodeException">Malformed, oversized or of an unknown version.</exception>
    public static GroupCommit Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, MaxSize, "group commit", d =>
        {
            if (d.ReadMapStart(3) != 3)
            {
                throw d.Error("a commit has exactly three fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var body = d.ReadBytes(1, MaxSize);
            d.ExpectKey(2);
            var signature = d.ReadFixedBytes(64);
            d.ReadMapEnd();
            return new GroupCommit(body, signature);
        });

    internal static byte[] EncodeBody(GroupCommitBody body) => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(6);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteTextString(body.Group);
        w.WriteUInt32(2);
        w.WriteUInt64(body.Epoch);
        w.WriteUInt32(3);
        w.WriteTextString(body.Committer.ToString());
        w.WriteUInt32(4);
        w.WriteStartArray(body.Members.Count);
        foreach (var member in body.Members)
        {
            w.WriteStartArray(3);
            w.WriteTextString(member.Identifier.ToString());
            w.WriteByteString(member.AgreementKey);
            w.WriteByteString(member.SigningKey);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteUInt32(5);
        w.WriteStartArray(body.Packages.Count);
        foreach (var package in body.Packages)
        {
            w.WriteStartArray(3);
            w.WriteTextString(package.Member.ToString());
            w.WriteByteString(package.Enc);
            w.WriteByteString(package.SealedSecret);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndMap();
    });

    private static GroupCommitBody DecodeBody(byte[] encoded) =>
        CborDecoder.Decode(encoded, MaxSize, "group commit body", d =>
        {
            if (d.ReadMapStart(6) != 6)
            {
                throw d.Error("a commit body has exactly six fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var group = d.ReadText(MaxGroupName);
            d.ExpectKey(2);
            var epoch = d.ReadUInt64();
            d.ExpectKey(3);
            var committer = ReadIdentifier(d);
            d.ExpectKey(4);
            var members = new List<GroupMember>();
            var count = d.ReadArrayStart(MaxMembers);
            for (var i = 0; i < count; i++)
            {
                d.ReadArrayStart(3);
                members.Add(new GroupMember(ReadIdentifier(d), d.ReadFixedBytes(32), d.ReadFixedBytes(32)));
                d.ReadArrayEnd();
            }

            d.ReadArrayEnd();
            d.ExpectKey(5);
            var packages = new List<GroupPackage>();
            count = d.ReadArrayStart(MaxMembers);
            for (var i = 0; i < count; i++)
            {
                d.ReadArrayStart(3);
                packages.Add(new GroupPackage(ReadIdentifier(d), d.ReadFixedBytes(32), d.ReadFixedBytes(32 + 16)));
                d.ReadArrayEnd();
            }

            d.ReadArrayEnd();
            d.ReadMapEnd();
            return new GroupCommitBody(group, epoch, committer, members, packages);
        });

    internal static Identifier ReadIdentifier(CborDecoder d) =>
        Identifier.TryParse(d.ReadText(65), out var identifier) ? identifier : throw d.Error("not an identifier");
}

/// <summary>The signed content of a <see cref="GroupCommit"/>.</summary>
public sealed record GroupCommitBody(string Group, ulong Epoch, Identifier Committer, IReadOnlyList<GroupMember> Members, IReadOnlyList<GroupPackage> Packages);

/// <summary>The epoch secret sealed to one member: HPKE enc and ciphertext.</summary>
public sealed record GroupPackage(Identifier Member, byte[] Enc, byte[] SealedSecret);
