using Ockam.Identity.Encoding;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;

namespace Ockam.Messaging.Tests.Api;

/// <summary>get-group-keys asks for a page of identities at once: bounded in subjects and in answers as it is read.</summary>
public sealed class GroupKeysOperationTests
{
    [Fact]
    public void A_page_of_subjects_round_trips_and_one_more_subject_or_answer_is_a_decode_error()
    {
        var most = Enumerable.Range(0, GetGroupKeysRequest.MaxSubjects).Select(i => $"I{i:x2}").ToList();
        Assert.Equal(most, ApiBody.Decode<GetGroupKeysRequest>(ApiBody.Encode(new GetGroupKeysRequest(most)), ApiRequest.MaxSize, "test").Subjects);
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<GetGroupKeysRequest>(ApiBody.Encode(new GetGroupKeysRequest([.. most, "I99"])), ApiRequest.MaxSize, "test"));

        var keys = new GroupKeys("I00", new byte[] { 1 }, new byte[] { 2 }, new byte[] { 3 });
        var read = ApiBody.Decode<GetGroupKeysResponse>(ApiBody.Encode(new GetGroupKeysResponse([keys])), ApiResponse.MaxSize, "test").Keys.Single();
        Assert.Equal(("I00", 1, 2, 3), (read.Subject, (int)read.History.Span[0], (int)read.Agreement.Span[0], (int)read.Signing.Span[0]));
        var tooMany = new GetGroupKeysResponse(Enumerable.Repeat(keys, GetGroupKeysRequest.MaxSubjects + 1).ToList());
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<GetGroupKeysResponse>(ApiBody.Encode(tooMany), ApiResponse.MaxSize, "test"));
    }
}
