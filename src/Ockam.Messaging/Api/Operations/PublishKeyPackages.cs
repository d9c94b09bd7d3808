using Ockam.Identity.Encoding;

namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// Publish MLS KeyPackages (RFC 9420 §10) of this identity (<c>key-packages</c>), for inviters to claim; none asks only
/// how many the silo holds.
/// </summary>
public sealed record PublishKeyPackagesRequest(IReadOnlyList<ReadOnlyMemory<byte>> KeyPackages) : IApiRequest<PublishKeyPackagesRequest, PublishKeyPackagesResponse>
{
    /// <summary>Packages in one request: a node tops up a handful at a time.</summary>
    public const int MaxKeyPackages = 16;

    /// <summary>One encoded KeyPackage: keys, a basic credential, capabilities and two signatures take a few hundred bytes.</summary>
    public const int MaxKeyPackageBytes = 4 * 1024;

    public static ApiOperation Operation => ApiOperation.PublishKeyPackages;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.BytesList("key-packages", KeyPackages);
    }

    public static PublishKeyPackagesRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.BytesList("key-packages", MaxKeyPackages, MaxKeyPackageBytes));
    }
}

/// <summary>How many of the identity's KeyPackages the silo now holds (<c>held</c>), published ones included.</summary>
public sealed record PublishKeyPackagesResponse(int Held) : IApiBody<PublishKeyPackagesResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Number("held", (ulong)Held);
    }

    public static PublishKeyPackagesResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var held = body.Number("held");
        return held <= ApiLimits.MaxItems
            ? new((int)held)
            : throw new OckamDecodeException($"held {held} is more than {ApiLimits.MaxItems}");
    }
}
