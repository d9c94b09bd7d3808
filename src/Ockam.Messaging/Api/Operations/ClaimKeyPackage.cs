namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// Claim one KeyPackage of identity <c>subject</c>, to invite it: the silo hands it out once (its init key is for one
/// Welcome, RFC 9420 §16.8) with the history and GroupSigning attestation that vouch for its signature key.
/// </summary>
public sealed record ClaimKeyPackageRequest(string Subject) : IApiRequest<ClaimKeyPackageRequest, ClaimKeyPackageResponse>
{
    public static ApiOperation Operation => ApiOperation.ClaimKeyPackage;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("subject", Subject);
    }

    public static ClaimKeyPackageRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("subject", ApiLimits.MaxName));
    }
}

/// <summary>The subject's change history, its GroupSigning attestation (<c>signing</c>) and one of its KeyPackages; the claimer verifies all three.</summary>
public sealed record ClaimKeyPackageResponse(ReadOnlyMemory<byte> History, ReadOnlyMemory<byte> Signing, ReadOnlyMemory<byte> KeyPackage) : IApiBody<ClaimKeyPackageResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Bytes("history", History);
        body.Bytes("signing", Signing);
        body.Bytes("key-package", KeyPackage);
    }

    public static ClaimKeyPackageResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(
            body.Bytes("history", ApiLimits.MaxBytes),
            body.Bytes("signing", ApiLimits.MaxBytes),
            body.Bytes("key-package", PublishKeyPackagesRequest.MaxKeyPackageBytes));
    }
}
