using Ockam.Identity.Encoding;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;

namespace Ockam.Messaging.Tests.Api;

/// <summary>enroll, with or without the member's keys: the keys are all there or absent, and bounded as they are read.</summary>
public sealed class EnrollOperationTests
{
    [Fact]
    public void An_enrol_request_round_trips_with_and_without_keys()
    {
        Assert.Null(Decode(new EnrollRequest("t")).Keys);
        var keys = Decode(new EnrollRequest("t", new EnrolmentKeys(new byte[] { 1 }, new byte[] { 2 }, [new byte[] { 3 }, new byte[] { 4, 5 }]))).Keys!;
        Assert.Equal([1], keys.Agreement.ToArray());
        Assert.Equal([2], keys.Signing.ToArray());
        Assert.Equal([[3], [4, 5]], keys.KeyPackages.Select(p => p.ToArray()));
        Assert.Empty(Decode(new EnrollRequest("t", new EnrolmentKeys(new byte[] { 1 }, new byte[] { 2 }, []))).Keys!.KeyPackages);
    }

    [Fact]
    public void Keys_in_part_too_many_or_too_large_packages_are_decode_errors()
    {
        Assert.Throws<OckamDecodeException>(() => Read(b => { b.Text("token", "t"); b.Bytes("agreement", new byte[] { 1 }); }));
        Assert.Throws<OckamDecodeException>(() => Read(b => { b.Text("token", "t"); b.Bytes("agreement", new byte[] { 1 }); b.Bytes("signing", new byte[] { 2 }); }));
        Assert.Throws<OckamDecodeException>(() => Read(b => { b.Text("token", "t"); b.Bytes("signing", new byte[] { 2 }); b.BytesList("key-packages", []); }));

        var tooMany = Enumerable.Repeat((ReadOnlyMemory<byte>)new byte[1], PublishKeyPackagesRequest.MaxKeyPackages + 1).ToList();
        Assert.Throws<OckamDecodeException>(() => Decode(new EnrollRequest("t", new EnrolmentKeys(new byte[] { 1 }, new byte[] { 2 }, tooMany))));
        var tooLarge = new EnrolmentKeys(new byte[] { 1 }, new byte[] { 2 }, [new byte[PublishKeyPackagesRequest.MaxKeyPackageBytes + 1]]);
        Assert.Throws<OckamDecodeException>(() => Decode(new EnrollRequest("t", tooLarge)));
    }

    private static EnrollRequest Decode(EnrollRequest request) => ApiBody.Decode<EnrollRequest>(ApiBody.Encode(request), ApiRequest.MaxSize, "test");

    private static EnrollRequest Read(Action<ApiBodyWriter> write)
    {
        var body = new ApiBodyWriter();
        write(body);
        return ApiBody.Decode<EnrollRequest>(body.Encode(), ApiRequest.MaxSize, "test");
    }
}
