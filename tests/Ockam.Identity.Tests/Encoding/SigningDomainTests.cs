using Ockam.Identity.Encoding;

namespace Ockam.Identity.Tests.Encoding;

/// <summary>The labels are part of what every signature covers (docs/identity.md): they must never move.</summary>
public sealed class SigningDomainTests
{
    [Fact]
    public void Signs_label_zero_then_the_data()
    {
        Assert.Equal("ockam.change.v1\0\u0001\u0002"u8.ToArray(), SigningDomain.ToBeSigned(SigningDomain.Change, [1, 2]));
        Assert.Equal("ockam.purpose-key-attestation.v1\0\u0001"u8.ToArray(), SigningDomain.ToBeSigned(SigningDomain.Attestation, [1]));
        Assert.Equal("ockam.credential.v1\0\u0001"u8.ToArray(), SigningDomain.ToBeSigned(SigningDomain.Credential, [1]));
        Assert.Equal("ockam.revocation-list.v1\0\u0001"u8.ToArray(), SigningDomain.ToBeSigned(SigningDomain.RevocationList, [1]));
    }
}
