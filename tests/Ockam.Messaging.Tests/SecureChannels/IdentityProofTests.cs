using Ockam.Identity.Encoding;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Messaging.Tests.SecureChannels;

/// <summary>An identity proof keeps its members' bytes exactly and compares by them.</summary>
public sealed class IdentityProofTests
{
    private static readonly IdentityProof Proof = new(ByteString.CopyFrom([1, 2, 3]), ByteString.CopyFrom([4, 5]), [ByteString.CopyFrom([6]), ByteString.CopyFrom([7, 8])]);

    [Fact]
    public void Encodes_version_history_attestation_and_credentials()
    {
        // {0: 1, 1: h'010203', 2: h'0405', 3: [h'06', h'0708']}
        Assert.Equal("a4000101430102030242040503824106420708", Convert.ToHexStringLower(Proof.Encode()));
    }

    [Fact]
    public void Decoded_twice_is_equal_and_differs_when_one_credential_byte_differs()
    {
        var encoded = Proof.Encode();
        var once = IdentityProof.Decode(encoded);
        var again = IdentityProof.Decode(encoded.ToArray());
        encoded[^1] ^= 1;

        Assert.Equal(Proof, once);
        Assert.Equal(once, again);
        Assert.Equal(once.GetHashCode(), again.GetHashCode());
        Assert.NotEqual(once, IdentityProof.Decode(encoded));
    }
}
