using Ockam.Identity.Mls;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg interop vectors deserialization.json (RFC 9420 §2.1.2): each variable-size vector length
/// header decodes to its length, and that length re-encodes to exactly that header.
/// </summary>
public sealed class DeserializationVectorTests
{
    private const int VectorCases = 14;

    [Fact]
    public void All_14_length_headers_decode_and_re_encode_minimally()
    {
        using var document = TestVectors.Load("mls/deserialization.json");
        var passed = 0;
        foreach (var vector in document.RootElement.EnumerateArray())
        {
            var header = vector.Hex("vlbytes_header");
            var length = vector.GetProperty("length").GetInt32();

            Assert.Equal(length, VariableLengthHeader.Read(header, out var consumed));
            Assert.Equal(header.Length, consumed);

            // Through the reader too, as the header of a vector whose bytes follow (up to a size worth allocating).
            if (length <= 1 << 16)
            {
                byte[] vectorBytes = [.. header, .. new byte[length]];
                Assert.Equal(length, MlsReader.DecodeExact(vectorBytes, (ref MlsReader r) => r.ReadVectorBytes(length)).Length);
            }

            var writer = new MlsWriter();
            writer.WriteLengthHeader(length);
            Assert.Equal(header, writer.ToArray());
            Assert.Equal(header.Length, VariableLengthHeader.SizeOf(length));
            passed++;
        }

        Assert.Equal(VectorCases, passed);
    }
}
