namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// The histories and group signing attestations of identities (<c>subjects</c>, at most <see cref="MaxSubjects"/>): what a
/// member verifies every leaf of a group by. A joiner of a large group asks for them a page at a time, not one by one.
/// </summary>
public sealed record GetGroupKeysRequest(IReadOnlyList<string> Subjects) : IApiRequest<GetGroupKeysRequest, GetGroupKeysResponse>
{
    /// <summary>Subjects per request: their histories and attestations (about 1 KiB each) fit well within one answer.</summary>
    public const int MaxSubjects = 64;

    public static ApiOperation Operation => ApiOperation.GetGroupKeys;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.TextList("subjects", Subjects);
    }

    public static GetGroupKeysRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.TextList("subjects", MaxSubjects, ApiLimits.MaxName));
    }
}

/// <summary>The <c>keys</c> of the subjects that published them; one that did not is left out.</summary>
public sealed record GetGroupKeysResponse(IReadOnlyList<GroupKeys> Keys) : IApiBody<GetGroupKeysResponse>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.List("keys", Keys, (item, k) => k.Write(item));
    }

    public static GetGroupKeysResponse Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.List("keys", GetGroupKeysRequest.MaxSubjects, GroupKeys.Read));
    }
}

/// <summary>One identity's (<c>subject</c>) change history and its group key attestations, for the caller to verify.</summary>
public sealed record GroupKeys(string Subject, ReadOnlyMemory<byte> History, ReadOnlyMemory<byte> Agreement, ReadOnlyMemory<byte> Signing) : IApiBody<GroupKeys>
{
    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Text("subject", Subject);
        body.Bytes("history", History);
        body.Bytes("agreement", Agreement);
        body.Bytes("signing", Signing);
    }

    public static GroupKeys Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new(body.Text("subject", ApiLimits.MaxName), body.Bytes("history", ApiLimits.MaxBytes), body.Bytes("agreement", ApiLimits.MaxBytes), body.Bytes("signing", ApiLimits.MaxBytes));
    }
}
