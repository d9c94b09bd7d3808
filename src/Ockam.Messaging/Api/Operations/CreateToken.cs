namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// Create an enrolment token granting <c>attributes</c> (<c>{name: text}</c>; <c>ockam.delegate</c> as
/// comma-separated names) to up to <c>uses</c> identities (default 1) for <c>valid-for-seconds</c> (default 3600).
/// </summary>
public sealed record CreateTokenRequest(IReadOnlyDictionary<string, string> Attributes, ulong? ValidForSeconds = null, ulong? Uses = null)
    : IApiRequest<CreateTokenRequest, CreateTokenResponse>
{
    public static ApiOperation Operation => ApiOperation.CreateToken;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.TextMap("attributes", Attributes);
        body.OptionalNumber("valid-for-seconds", ValidForSeconds);
        body.OptionalNumber("uses", Uses);
    }

    public static CreateTokenRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(
            body.OptionalTextMap("attributes", ApiLimits.MaxItems, ApiLimits.MaxName, ApiLimits.MaxText),
            body.OptionalNumber("valid-for-seconds"),
            body.OptionalNumber("uses"));
    }
}

/// <summary>The created token (<c>token</c>).</summary>
public sealed record CreateTokenResponse(string Token) : IApiBody<CreateTokenResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("token", Token);
    }

    public static CreateTokenResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("token", ApiLimits.MaxName));
    }
}
