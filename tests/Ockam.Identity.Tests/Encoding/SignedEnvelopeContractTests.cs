using System.Formats.Cbor;
using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Identity.Tests.Encoding;

/// <summary>
/// One contract over every signed structure: each is a <see cref="SignedEnvelope"/>
/// <c>{0: version, 1: data, 2: signature, 3…: own fields}</c> with the wire bytes it has always had, refuses
/// every other shape with <see cref="OckamDecodeException"/>, and compares by content.
/// </summary>
public sealed class SignedEnvelopeContractTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static readonly Dictionary<string, Case> Cases = BuildCases().ToDictionary(c => c.Name);

    public static TheoryData<string> Names => [.. Cases.Keys];

    // Fixed when these structures were written by hand, before the shared envelope: the wire must not move.
    [Theory]
    [InlineData("first change", "a30001015836a600010258200101010101010101010101010101010101010101010101010101010101010101031a6553f100041a6735248005f406f402584002020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202")]
    [InlineData("rotation", "a40001015859a7000101582094b036dce2501d0cd2f85d23339497333733a5c517da19b6cdd6a99520be57810258200303030303030303030303030303030303030303030303030303030303030303031a65554280041a6736760005f406f50258400404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040404040403584005050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505050505")]
    [InlineData("attestation", "a3000101587aa700010158200606060606060606060606060606060606060606060606060606060606060606025820070707070707070707070707070707070707070707070707070707070707070703020458200808080808080808080808080808080808080808080808080808080808080808051a6553f100061a6555428002584009090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909")]
    [InlineData("credential", "a3000101586ca700010158200a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0258200b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b03a16a6f636b616d2e726f6c654673656e736f72041a6553f100051a6553ff1006182a0258400c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c")]
    [InlineData("revocation list", "a4000101583aa600010158200b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0203031a6553f100041a6553ff1005830105182a0258400d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d03a3000101587aa700010158200606060606060606060606060606060606060606060606060606060606060606025820070707070707070707070707070707070707070707070707070707070707070703020458200808080808080808080808080808080808080808080808080808080808080808051a6553f100061a6555428002584009090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909")]
    public void Encodes_the_bytes_it_always_has(string name, string hex)
    {
        var c = Cases[name];
        var encoded = c.Encode();

        Assert.Equal(hex, Convert.ToHexStringLower(encoded));
        Assert.Equal(encoded, c.Encode(c.Decode(Convert.FromHexString(hex))));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Is_version_data_signature_then_its_own_fields(string name)
    {
        var c = Cases[name];

        Assert.Equal(c.Encode(), c.Build());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Decoded_twice_is_equal_and_differs_when_one_signature_byte_differs(string name)
    {
        var c = Cases[name];
        var encoded = c.Encode();
        var once = c.Decode(encoded);
        var again = c.Decode(encoded.ToArray());
        var signature = c.Signature.ToArray();
        signature[^1] ^= 1;
        var tampered = c.Decode(c.Build(signature: signature));

        Assert.NotSame(once, again);
        Assert.Equal(once, again);
        Assert.Equal(once.GetHashCode(), again.GetHashCode());
        Assert.Equal(c.Sample, once);
        Assert.NotEqual(once, tampered);
    }

    [Fact]
    public void A_change_differs_when_one_byte_of_its_previous_signature_differs()
    {
        var c = Cases["rotation"];
        var previous = ((Change)c.Sample).PreviousSignature!.Value.ToArray();
        previous[0] ^= 1;

        Assert.NotEqual(c.Sample, c.Decode(c.Build(own: [(3, w => w.WriteByteString(previous))])));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Refuses_a_signature_of_the_wrong_size(string name)
    {
        var c = Cases[name];

        Assert.Throws<OckamDecodeException>(() => c.Decode(c.Build(signature: Filled(SignedEnvelope.SignatureSize - 1, 2))));
        Assert.Throws<OckamDecodeException>(() => c.Decode(c.Build(signature: Filled(SignedEnvelope.SignatureSize + 1, 2))));
        Assert.Throws<OckamDecodeException>(() => c.Decode(c.Build(signature: [])));
    }

    [Fact]
    public void Refuses_a_previous_signature_of_the_wrong_size()
    {
        var c = Cases["rotation"];

        Assert.Throws<OckamDecodeException>(() => c.Decode(c.Build(own: [(3, w => w.WriteByteString(Filled(SignedEnvelope.SignatureSize - 1, 5)))])));
        Assert.Throws<OckamDecodeException>(() => c.Decode(c.Build(own: [(3, w => w.WriteByteString(Filled(SignedEnvelope.SignatureSize + 1, 5)))])));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Refuses_trailing_bytes(string name)
    {
        var c = Cases[name];

        Assert.Throws<OckamDecodeException>(() => c.Decode([.. c.Encode(), 0x00]));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Refuses_an_unknown_version(string name)
    {
        var c = Cases[name];

        Assert.Throws<OckamDecodeException>(() => c.Decode(c.Build(version: 0)));
        Assert.Throws<OckamDecodeException>(() => c.Decode(c.Build(version: 2)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Refuses_a_non_canonical_map(string name)
    {
        var c = Cases[name];
        var encoded = c.Encode();

        // The version as a two-byte integer (0x18 0x01): the same number, not its shortest encoding.
        Assert.Equal(0x01, encoded[2]);
        Assert.Throws<OckamDecodeException>(() => c.Decode([.. encoded[..2], 0x18, .. encoded[2..]]));

        // An indefinite-length map.
        Assert.Throws<OckamDecodeException>(() => c.Decode(c.Build(indefinite: true)));

        // Keys out of order: signature before data.
        Assert.Throws<OckamDecodeException>(() => c.Decode(c.Build(swapDataAndSignature: true)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Refuses_empty_data_and_a_field_too_many(string name)
    {
        var c = Cases[name];

        Assert.Throws<OckamDecodeException>(() => c.Decode(c.Build(data: [])));
        Assert.Throws<OckamDecodeException>(() => c.Decode(c.Build(own: [.. c.Own, (9, w => w.WriteUInt32(0))])));
    }

    [Fact]
    public void Refuses_a_revocation_list_without_its_attestation()
    {
        var c = Cases["revocation list"];

        Assert.Throws<OckamDecodeException>(() => c.Decode(c.Build(own: [])));
    }

    [Fact]
    public void Will_not_build_an_envelope_with_a_wrong_size_signature_or_empty_data()
    {
        var data = Cases["credential"].Data;

        Assert.Throws<ArgumentException>(() => new Credential(data.ToArray(), Filled(SignedEnvelope.SignatureSize - 1, 1)));
        Assert.Throws<ArgumentException>(() => new Credential([], Filled(SignedEnvelope.SignatureSize, 1)));
        var first = ((Change)Cases["first change"].Sample).Data;
        Assert.Throws<ArgumentException>(() => new Change(first.Encode(), first, Filled(SignedEnvelope.SignatureSize, 1), Filled(SignedEnvelope.SignatureSize + 1, 1)));
    }

    private static IEnumerable<Case> BuildCases()
    {
        var first = new ChangeData(null, ByteString.CopyFrom(Filled(32, 1)), Created, Created.AddDays(365), Revoked: false, RevokePurposeKeys: false);
        var firstChange = new Change(first.Encode(), first, Filled(64, 2), null);
        var second = new ChangeData(ByteString.CopyFrom(ChangeHistory.ChangeHash(firstChange)), ByteString.CopyFrom(Filled(32, 3)), Created.AddDays(1), Created.AddDays(366), Revoked: false, RevokePurposeKeys: true);
        var rotation = new Change(second.Encode(), second, Filled(64, 4), Filled(64, 5));
        var attestation = new PurposeKeyAttestation(
            PurposeKeyAttestation.EncodeData(Identifier.FromHash(Filled(32, 6)), Filled(32, 7), Purpose.CredentialSigning, Filled(32, 8), Created, Created.AddDays(1)),
            Filled(64, 9));
        var attributes = new Dictionary<string, byte[]> { ["ockam.role"] = "sensor"u8.ToArray() };
        var credential = new Credential(new CredentialData(Identifier.FromHash(Filled(32, 10)), Identifier.FromHash(Filled(32, 11)), attributes, Created, Created.AddHours(1), 42).Encode(), Filled(64, 12));
        var list = new RevocationList(new RevocationListData(Identifier.FromHash(Filled(32, 11)), 3, Created, Created.AddHours(1), [1, 5, 42]).Encode(), Filled(64, 13), attestation);

        yield return new Case("first change", firstChange, Change.Version, firstChange.EncodedData, firstChange.Signature, [], Encoder<Change>((w, v) => v.Write(w)), b => Decoder(b, Change.Read));
        yield return new Case(
            "rotation",
            rotation,
            Change.Version,
            rotation.EncodedData,
            rotation.Signature,
            [(3, w => w.WriteByteString(rotation.PreviousSignature!.Value.AsSpan()))],
            Encoder<Change>((w, v) => v.Write(w)),
            b => Decoder(b, Change.Read));
        yield return new Case("attestation", attestation, PurposeKeyAttestation.Version, attestation.EncodedData, attestation.Signature, [], v => ((PurposeKeyAttestation)v).Encode(), b => PurposeKeyAttestation.Decode(b));
        yield return new Case("credential", credential, Credential.Version, credential.EncodedData, credential.Signature, [], Encoder<Credential>((w, v) => v.Write(w)), b => Decoder(b, Credential.Read));
        yield return new Case("revocation list", list, RevocationList.Version, list.EncodedData, list.Signature, [(3, attestation.Write)], v => ((RevocationList)v).Encode(), b => RevocationList.Decode(b));
    }

    private static Func<object, byte[]> Encoder<T>(Action<CborWriter, T> write) => value => CborEncoder.Encode(w => write(w, (T)value));

    private static T Decoder<T>(byte[] encoded, Func<CborDecoder, T> read) => CborDecoder.Decode(encoded, 64 * 1024, "test", read);

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    /// <summary>One signed structure: a sample, its envelope's parts, and how to encode and decode it.</summary>
    private sealed record Case(
        string Name,
        object Sample,
        uint Version,
        ByteString Data,
        ByteString Signature,
        IReadOnlyList<(uint Key, Action<CborWriter> Write)> Own,
        Func<object, byte[]> EncodeValue,
        Func<byte[], object> Decode)
    {
        public byte[] Encode() => EncodeValue(Sample);

        public byte[] Encode(object value) => EncodeValue(value);

        /// <summary>The envelope written by hand, field by field, with any part replaced.</summary>
        public byte[] Build(
            uint? version = null,
            byte[]? data = null,
            byte[]? signature = null,
            IReadOnlyList<(uint Key, Action<CborWriter> Write)>? own = null,
            bool indefinite = false,
            bool swapDataAndSignature = false)
        {
            own ??= Own;
            var writer = new CborWriter(indefinite || swapDataAndSignature ? CborConformanceMode.Lax : CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false);
            writer.WriteStartMap(indefinite ? null : 3 + own.Count);
            writer.WriteUInt32(0);
            writer.WriteUInt32(version ?? Version);
            (uint Key, byte[] Value)[] common = [(1, data ?? Data.ToArray()), (2, signature ?? Signature.ToArray())];
            foreach (var (key, value) in swapDataAndSignature ? common.Reverse() : common)
            {
                writer.WriteUInt32(key);
                writer.WriteByteString(value);
            }

            foreach (var (key, write) in own)
            {
                writer.WriteUInt32(key);
                write(writer);
            }

            writer.WriteEndMap();
            return writer.Encode();
        }
    }
}
