using FsCheck;
using FsCheck.Fluent;
using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Testing;

/// <summary>FsCheck generators for every encoded structure. Signatures are random: decoding does not verify.</summary>
internal static class Generators
{
    private static readonly string NameAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789._-éü✓";

    public static Gen<byte[]> Bytes(int length) =>
        Gen.Choose(0, int.MaxValue).Select(seed => Fill(seed, length));

    public static Gen<byte[]> Bytes(int min, int max) =>
        from length in Gen.Choose(min, max)
        from bytes in Bytes(length)
        select bytes;

    public static Gen<DateTimeOffset> Time =>
        from high in Gen.Choose(0, 3)
        from low in Gen.Choose(0, int.MaxValue)
        select DateTimeOffset.FromUnixTimeSeconds(((long)high << 31) | (uint)low);

    public static Gen<ulong> UInt64 =>
        from high in Gen.Choose(int.MinValue, int.MaxValue)
        from low in Gen.Choose(int.MinValue, int.MaxValue)
        select ((ulong)(uint)high << 32) | (uint)low;

    public static Gen<Identifier> Identifier => Bytes(32).Select(b => Ockam.Identity.Identities.Identifier.FromHash(b));

    public static Gen<string> AttributeName =>
        from length in Gen.Choose(1, 24)
        from seed in Gen.Choose(0, int.MaxValue)
        select new string(Enumerable.Range(0, length).Select(i => NameAlphabet[new Random(seed + i).Next(NameAlphabet.Length)]).ToArray());

    public static Gen<Dictionary<string, byte[]>> Attributes =>
        from count in Gen.Choose(0, 8)
        from names in Gen.ListOf(AttributeName, count)
        from values in Gen.ListOf(Bytes(0, 64), count)
        select names.Zip(values).DistinctBy(p => p.First, StringComparer.Ordinal).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);

    public static Gen<ChangeData> ChangeData(bool first) =>
        from previous in Bytes(32)
        from key in Bytes(32)
        from created in Time
        from expires in Time
        from revoked in Gen.Elements(true, false)
        from revokePurposeKeys in Gen.Elements(true, false)
        select new ChangeData(first ? null : ByteString.CopyFrom(previous), ByteString.CopyFrom(key), created, expires, revoked, revokePurposeKeys);

    public static Gen<Change> Change(bool first) =>
        from data in ChangeData(first)
        from signature in Bytes(64)
        from previousSignature in Bytes(64)
        select new Change(data.Encode(), data, signature, first ? null : previousSignature);

    public static Gen<ChangeHistory> History =>
        from head in Change(first: true)
        from count in Gen.Choose(0, 5)
        from tail in Gen.ListOf(Change(first: false), count)
        select new ChangeHistory([head, .. tail]);

    public static Gen<PurposeKeyAttestation> Attestation =>
        from subject in Identifier
        from signer in Bytes(32)
        from purpose in Gen.Elements(Purpose.SecureChannelStatic, Purpose.CredentialSigning)
        from key in Bytes(32)
        from created in Time
        from expires in Time
        from signature in Bytes(64)
        select new PurposeKeyAttestation(PurposeKeyAttestation.EncodeData(subject, signer, purpose, key, created, expires), signature);

    public static Gen<CredentialData> CredentialData =>
        from subject in Identifier
        from issuer in Identifier
        from attributes in Attributes
        from created in Time
        from expires in Time
        from serial in UInt64
        select new CredentialData(subject, issuer, attributes, created, expires, serial);

    public static Gen<Credential> Credential =>
        from data in CredentialData
        from signature in Bytes(64)
        select new Credential(data.Encode(), signature);

    public static Gen<DelegationLink> Link =>
        from history in History
        from credential in Credential
        from attestation in Attestation
        select new DelegationLink(history, credential, attestation);

    public static Gen<CredentialPresentation> Presentation =>
        from credential in Credential
        from attestation in Attestation
        from count in Gen.Choose(0, 2)
        from chain in Gen.ListOf(Link, count)
        select new CredentialPresentation(credential, attestation, chain.ToList());

    public static Gen<RevocationListData> RevocationListData =>
        from issuer in Identifier
        from sequence in UInt64
        from issued in Time
        from next in Time
        from count in Gen.Choose(0, 20)
        from serials in Gen.ListOf(UInt64, count)
        select new RevocationListData(issuer, sequence, issued, next, serials.Distinct().Order().ToList());

    public static Gen<RevocationList> RevocationList =>
        from data in RevocationListData
        from signature in Bytes(64)
        from attestation in Attestation
        select new RevocationList(data.Encode(), signature, attestation);

    /// <summary>Random bytes, or a valid encoding with a few bit flips, truncations, insertions or deletions.</summary>
    public static Gen<byte[]> Hostile(IReadOnlyList<byte[]> samples) =>
        Gen.OneOf(
            Bytes(0, 96),
            from sample in Gen.Elements(samples.ToArray())
            from mutations in Gen.Choose(1, 3)
            from seed in Gen.Choose(0, int.MaxValue)
            select Mutate(sample, mutations, new Random(seed)));

    private static byte[] Mutate(byte[] sample, int mutations, Random random)
    {
        var bytes = sample.ToList();
        for (var i = 0; i < mutations; i++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                default:
                    bytes.AddRange(Fill(random.Next(), random.Next(1, 8)));
                    break;
            }
        }

        return [.. bytes];
    }

    private static byte[] Fill(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
