using Ockam.Identity.Encoding;
using Ockam.Identity.Mls;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The presentation-language codec of RFC 9420 §2.1: round trips, and hostile input (truncated,
/// non-minimal, oversized, bad optional flags, trailing bytes), each an <see cref="OckamDecodeException"/>.
/// </summary>
public sealed class MlsCodecTests
{
    private sealed record Named(string Name);

    [Fact]
    public void Integers_are_big_endian_and_round_trip()
    {
        var writer = new MlsWriter();
        writer.WriteUInt8(0x01);
        writer.WriteUInt16(0x0203);
        writer.WriteUInt32(0x04050607);
        writer.WriteUInt64(0x08090a0b0c0d0e0f);
        writer.WriteFixed([0xaa, 0xbb]);
        var bytes = writer.ToArray();
        Assert.Equal(Convert.FromHexString("0102030405060708090a0b0c0d0e0faabb"), bytes);

        var reader = new MlsReader(bytes.AsMemory());
        Assert.Equal(0x01, reader.ReadUInt8());
        Assert.Equal(0x0203, reader.ReadUInt16());
        Assert.Equal(0x04050607u, reader.ReadUInt32());
        Assert.Equal(0x08090a0b0c0d0e0fUL, reader.ReadUInt64());
        Assert.Equal([0xaa, 0xbb], reader.ReadFixed(2).ToArray());
        Assert.True(reader.IsAtEnd);
        reader.EnsureAtEnd();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(16383)]
    [InlineData(16384)]
    [InlineData(70000)]
    public void Opaque_vectors_round_trip_with_a_minimal_header(int length)
    {
        var value = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var writer = new MlsWriter();
        writer.WriteVector(value);
        var bytes = writer.ToArray();
        Assert.Equal(VariableLengthHeader.SizeOf(length) + length, bytes.Length);
        Assert.Equal(value, MlsReader.DecodeExact(bytes, (ref MlsReader r) => r.ReadVectorBytes(length)));
    }

    [Fact]
    public void Vectors_of_structures_and_optionals_round_trip()
    {
        List<Named> names = [new("alice"), new("bob"), new("")];
        var writer = new MlsWriter();
        writer.WriteVector(names, (w, n) => w.WriteVector(System.Text.Encoding.UTF8.GetBytes(n.Name)));
        writer.WriteOptional<Named>(null, WriteNamed);
        writer.WriteOptional(new Named("carol"), WriteNamed);
        var bytes = writer.ToArray();
        Assert.Equal(Convert.FromHexString("0b05616c69636503626f6200" + "00" + "01056361726f6c"), bytes);

        var (decoded, absent, present) = MlsReader.DecodeExact(bytes, (ref MlsReader r) =>
            (r.ReadVector(100, ReadNamed), r.ReadOptional(ReadNamed), r.ReadOptional(ReadNamed)));
        Assert.Equal(names, decoded);
        Assert.Null(absent);
        Assert.Equal(new Named("carol"), present);
    }

    public static TheoryData<string, string> HostileInputs => new()
    {
        // what, hex
        { "empty input for a uint8", "" },
        { "uint16 of one byte", "01" },
        { "uint32 of three bytes", "010203" },
        { "uint64 of seven bytes", "01020304050607" },
        { "vector header missing", "" },
        { "two-byte header cut after one byte", "40" },
        { "four-byte header cut after three bytes", "800040" },
        { "vector shorter than its header says", "05010203" },
        { "non-minimal two-byte header for 5", "40050102030405" },
        { "non-minimal two-byte header for 0", "4000" },
        { "non-minimal four-byte header for 63", "8000003f" },
        { "non-minimal four-byte header for 16383", "80003fff" },
        { "the invalid 0b11 prefix", "c0" },
        { "the invalid 0b11 prefix, eight bytes", "c000000000000005" },
        { "a huge claimed length with no bytes", "bfffffff" },
        { "length beyond the caller's bound of 8", "09000000000000000000" },
        { "optional presence byte 2", "02" },
        { "optional presence byte 0xff", "ff" },
        { "optional present but value truncated", "0105ab" },
        { "trailing bytes after the value", "0300000000" },
        { "element truncated inside its vector", "0303616263" },
        { "element reading past its vector", "02050102030405" },
    };

    [Theory]
    [MemberData(nameof(HostileInputs))]
    public void Hostile_input_is_a_decode_exception(string what, string hex)
    {
        var input = Convert.FromHexString(hex);
        var decode = what switch
        {
            "empty input for a uint8" => Decoder((ref MlsReader r) => r.ReadUInt8()),
            "uint16 of one byte" => Decoder((ref MlsReader r) => r.ReadUInt16()),
            "uint32 of three bytes" => Decoder((ref MlsReader r) => r.ReadUInt32()),
            "uint64 of seven bytes" => Decoder((ref MlsReader r) => r.ReadUInt64()),
            _ when what.StartsWith("optional", StringComparison.Ordinal) => Decoder((ref MlsReader r) => r.ReadOptional(ReadNamed)),
            _ when what.StartsWith("element", StringComparison.Ordinal) => Decoder((ref MlsReader r) => r.ReadVector(1000, ReadNamed)),
            _ when what.Contains("bound of 8", StringComparison.Ordinal) => Decoder((ref MlsReader r) => r.ReadVectorBytes(8)),
            _ => Decoder((ref MlsReader r) => r.ReadVectorBytes(VariableLengthHeader.MaxLength)),
        };

        var e = Assert.Throws<OckamDecodeException>(() => decode(input));
        Assert.Contains("at offset", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Twenty_two_hostile_inputs_are_covered() => Assert.Equal(22, HostileInputs.Count);

    [Fact]
    public void An_element_that_reads_nothing_cannot_fill_a_vector()
    {
        byte[] input = [0x02, 0x00, 0x00];
        var e = Assert.Throws<OckamDecodeException>(() =>
            MlsReader.DecodeExact(input, (ref MlsReader r) => r.ReadVector(10, (ref MlsReader _) => 0)));
        Assert.Contains("consumed no bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_name_the_offset_in_the_whole_input()
    {
        // A vector at offset 2 holding "abc", then a second element whose header says 5 with 1 byte left.
        byte[] input = [0xee, 0xee, 0x06, 0x03, 0x61, 0x62, 0x63, 0x05, 0x00];
        var e = Assert.Throws<OckamDecodeException>(() => MlsReader.DecodeExact(input, (ref MlsReader r) =>
        {
            r.ReadUInt16();
            return r.ReadVector(100, ReadNamed);
        }));
        Assert.EndsWith("at offset 7", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_writer_refuses_lengths_a_header_cannot_carry()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MlsWriter().WriteLengthHeader(VariableLengthHeader.MaxLength + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MlsWriter().WriteLengthHeader(-1));
        var writer = new MlsWriter();
        writer.WriteLengthHeader(VariableLengthHeader.MaxLength);
        Assert.Equal(Convert.FromHexString("bfffffff"), writer.ToArray());
    }

    private static Action<byte[]> Decoder<T>(MlsReadFunc<T> read) => bytes => MlsReader.DecodeExact(bytes, read);

    private static Named ReadNamed(ref MlsReader reader) =>
        new(System.Text.Encoding.UTF8.GetString(reader.ReadVector(255)));

    private static void WriteNamed(MlsWriter writer, Named value) =>
        writer.WriteVector(System.Text.Encoding.UTF8.GetBytes(value.Name));
}
