namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// What a device publishes as a member, carried by its enrolment so that one channel does it all: its group key
/// attestations (<c>agreement</c>, <c>signing</c>) and its first MLS KeyPackages (<c>key-packages</c>), stored by the
/// silo only once the token has been redeemed for the channel's own identity.
/// </summary>
public sealed record EnrolmentKeys(ReadOnlyMemory<byte> Agreement, ReadOnlyMemory<byte> Signing, IReadOnlyList<ReadOnlyMemory<byte>> KeyPackages)
{
    internal void Write(ApiBodyWriter body)
    {
        body.Bytes("agreement", Agreement);
        body.Bytes("signing", Signing);
        body.BytesList("key-packages", KeyPackages);
    }

    /// <summary>The keys if the body has an <c>agreement</c> field (then <c>signing</c> and <c>key-packages</c> are required), else null.</summary>
    internal static EnrolmentKeys? Read(ApiBodyReader body) =>
        body.OptionalBytes("agreement", ApiLimits.MaxBytes) is { } agreement
            ? new(agreement, body.Bytes("signing", ApiLimits.MaxBytes), body.BytesList("key-packages", PublishKeyPackagesRequest.MaxKeyPackages, PublishKeyPackagesRequest.MaxKeyPackageBytes))
            : null;
}
