using Ockam.Identity.Encoding;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;

namespace Ockam.Messaging.Tests.Api;

/// <summary>publish-key-packages and claim-key-package: bounded in count and bytes as they are read.</summary>
public sealed class KeyPackageOperationTests
{
    [Fact]
    public void Both_operations_round_trip()
    {
        var publish = Decode<PublishKeyPackagesRequest>(new PublishKeyPackagesRequest([new byte[] { 1 }, new byte[] { 2, 3 }]), ApiRequest.MaxSize);
        Assert.Equal([[1], [2, 3]], publish.KeyPackages.Select(p => p.ToArray()));
        Assert.Empty(Decode<PublishKeyPackagesRequest>(new PublishKeyPackagesRequest([]), ApiRequest.MaxSize).KeyPackages);
        Assert.Equal(7, Decode<PublishKeyPackagesResponse>(new PublishKeyPackagesResponse(7), ApiResponse.MaxSize).Held);
        Assert.Equal("I00", Decode<ClaimKeyPackageRequest>(new ClaimKeyPackageRequest("I00"), ApiRequest.MaxSize).Subject);
        var claim = Decode<ClaimKeyPackageResponse>(new ClaimKeyPackageResponse(new byte[] { 1 }, new byte[] { 2 }, new byte[] { 3 }), ApiResponse.MaxSize);
        Assert.Equal([1], claim.History.ToArray());
        Assert.Equal([2], claim.Signing.ToArray());
        Assert.Equal([3], claim.KeyPackage.ToArray());
        Assert.Equal(ApiOperation.PublishKeyPackages, PublishKeyPackagesRequest.Operation);
        Assert.Equal(ApiOperation.ClaimKeyPackage, ClaimKeyPackageRequest.Operation);
    }

    [Fact]
    public void A_publish_of_too_many_or_too_large_packages_is_a_decode_error()
    {
        var most = Enumerable.Range(0, PublishKeyPackagesRequest.MaxKeyPackages).Select(_ => (ReadOnlyMemory<byte>)new byte[PublishKeyPackagesRequest.MaxKeyPackageBytes]).ToList();
        Assert.Equal(PublishKeyPackagesRequest.MaxKeyPackages, Decode<PublishKeyPackagesRequest>(new PublishKeyPackagesRequest(most), ApiRequest.MaxSize).KeyPackages.Count);

        var tooMany = Enumerable.Repeat((ReadOnlyMemory<byte>)new byte[1], PublishKeyPackagesRequest.MaxKeyPackages + 1).ToList();
        Assert.Throws<OckamDecodeException>(() => Decode<PublishKeyPackagesRequest>(new PublishKeyPackagesRequest(tooMany), ApiRequest.MaxSize));

        var tooLarge = new PublishKeyPackagesRequest([new byte[PublishKeyPackagesRequest.MaxKeyPackageBytes + 1]]);
        Assert.Throws<OckamDecodeException>(() => Decode<PublishKeyPackagesRequest>(tooLarge, ApiRequest.MaxSize));
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<PublishKeyPackagesRequest>(Body(b => b.Bytes("key-packages", new byte[] { 1 })), ApiRequest.MaxSize, "test"));
    }

    [Fact]
    public void A_claim_with_an_oversized_subject_or_package_and_a_held_count_beyond_any_bound_are_decode_errors()
    {
        Assert.Throws<OckamDecodeException>(() => Decode<ClaimKeyPackageRequest>(new ClaimKeyPackageRequest(new string('I', ApiLimits.MaxName + 1)), ApiRequest.MaxSize));
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<ClaimKeyPackageRequest>(ApiBody.Empty, ApiRequest.MaxSize, "test"));
        var oversized = new ClaimKeyPackageResponse(new byte[] { 1 }, new byte[] { 2 }, new byte[PublishKeyPackagesRequest.MaxKeyPackageBytes + 1]);
        Assert.Throws<OckamDecodeException>(() => Decode<ClaimKeyPackageResponse>(oversized, ApiResponse.MaxSize));
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<PublishKeyPackagesResponse>(Body(b => b.Number("held", ulong.MaxValue)), ApiResponse.MaxSize, "test"));
    }

    private static T Decode<T>(T body, int maxSize)
        where T : IApiBody<T> =>
        ApiBody.Decode<T>(ApiBody.Encode(body), maxSize, "test");

    private static byte[] Body(Action<ApiBodyWriter> write)
    {
        var body = new ApiBodyWriter();
        write(body);
        return body.Encode();
    }
}
