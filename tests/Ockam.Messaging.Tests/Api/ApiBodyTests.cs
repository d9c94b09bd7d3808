using System.Formats.Cbor;
using Ockam.Identity.Encoding;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;

namespace Ockam.Messaging.Tests.Api;

/// <summary>Request and response bodies: named, typed fields, read strictly.</summary>
public sealed class ApiBodyTests
{
    [Fact]
    public void Every_kind_of_field_round_trips_through_a_typed_record()
    {
        var request = new CommitRoomRequest(GroupId.Topic("heart-rate"), new byte[] { 1, 2, 3 });
        var decoded = ApiBody.Decode<CommitRoomRequest>(ApiBody.Encode(request), ApiRequest.MaxSize, "test");
        Assert.Equal(GroupId.Topic("heart-rate"), decoded.Group);
        Assert.Equal(new byte[] { 1, 2, 3 }, decoded.Commit.ToArray());
        var tokens = new CreateTokenRequest(new Dictionary<string, string> { ["Ib"] = "phone", ["Ia"] = "watch" }, 600, 2);
        Assert.Equal(tokens.Attributes.OrderBy(r => r.Key), ApiBody.Decode<CreateTokenRequest>(ApiBody.Encode(tokens), ApiRequest.MaxSize, "test").Attributes.OrderBy(r => r.Key));

        var page = new CatchUpRoomResponse([new RoomLogEntry(6, 2, GroupDeliveryKind.Commit, new byte[] { 9 }), new RoomLogEntry(7, 3, GroupDeliveryKind.Message, new byte[] { 8 })], More: true);
        var read = ApiBody.Decode<CatchUpRoomResponse>(ApiBody.Encode(page), ApiResponse.MaxSize, "test");
        Assert.Equal([(6UL, 2UL, GroupDeliveryKind.Commit, 9), (7UL, 3UL, GroupDeliveryKind.Message, 8)], read.Entries.Select(e => (e.Index, e.Epoch, e.Kind, (int)e.Bytes.Span[0])));
        Assert.True(read.More);

        // A Welcome is carried only when a commit adds members.
        Assert.Null(ApiBody.Decode<CommitRoomRequest>(ApiBody.Encode(request), ApiRequest.MaxSize, "test").Welcome);
        var welcomed = ApiBody.Decode<CommitRoomRequest>(ApiBody.Encode(request with { Welcome = new byte[] { 4 } }), ApiRequest.MaxSize, "test");
        Assert.Equal([4], welcomed.Welcome!.Value.ToArray());
    }

    [Fact]
    public void The_same_request_always_has_the_same_canonical_bytes()
    {
        var a = ApiBody.Encode(new CreateTokenRequest(new Dictionary<string, string> { ["floor"] = "3", ["ockam.role"] = "sensor" }, 600, 2));
        var b = ApiBody.Encode(new CreateTokenRequest(new Dictionary<string, string> { ["ockam.role"] = "sensor", ["floor"] = "3" }, 600, 2));
        Assert.Equal(a, b);
        var request = ApiRequest.Create(5, new EnrollRequest("t"));
        Assert.Equal(request.Body.ToArray(), ApiRequest.Decode(request.Encode()).Body.ToArray());
    }

    [Fact]
    public void A_missing_an_unknown_or_a_mistyped_field_is_a_decode_error()
    {
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<EnrollRequest>(ApiBody.Empty, ApiRequest.MaxSize, "test"));
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<EnrollRequest>(Body(b => { b.Text("token", "t"); b.Text("extra", "x"); }), ApiRequest.MaxSize, "test"));
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<AcknowledgeRelayRequest>(Body(b => { b.Text("relay", "r"); b.Text("sequence", "7"); }), ApiRequest.MaxSize, "test"));
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<EnrollRequest>(Body(b => b.Bytes("token", "t"u8.ToArray())), ApiRequest.MaxSize, "test"));
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<EnrollRequest>(Body(b => b.Text("token", new string('t', ApiLimits.MaxName + 1))), ApiRequest.MaxSize, "test"));
    }

    [Fact]
    public void A_group_request_names_exactly_one_room_or_topic_and_a_group_id_carries_its_kind()
    {
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<SendRoomRequest>(Body(b => { b.Text("room", "x"); b.Text("topic", "x"); b.Bytes("message", new byte[] { 1 }); }), ApiRequest.MaxSize, "test"));
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<SendRoomRequest>(Body(b => b.Bytes("message", new byte[] { 1 })), ApiRequest.MaxSize, "test"));
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<CatchUpRoomResponse>(
            Body(b => { b.List("entries", [1], (item, _) => { item.Number("index", 1); item.Number("epoch", 0); item.Number("kind", 3); item.Bytes("bytes", new byte[] { 1 }); }); b.Bool("more", false); }), ApiResponse.MaxSize, "test"));
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<CommitRoomRequest>(Body(b => { b.Text("room", "x"); b.Bytes("commit", new byte[] { 1 }); b.TextMap("relays", new Dictionary<string, string> { ["I1"] = "victim" }); }), ApiRequest.MaxSize, "test"));

        // A room may be named like a topic; its id still says room.
        var room = ApiBody.Decode<SendRoomRequest>(ApiBody.Encode(new SendRoomRequest(GroupId.Room("topic:x"), new byte[] { 1 })), ApiRequest.MaxSize, "test").Group;
        Assert.Equal((GroupKind.Room, "topic:x", "room:topic:x"), (room.Kind, room.Name, room.Value));
        Assert.NotEqual(GroupId.Topic("x"), GroupId.Parse(room.Value));
        Assert.Equal(GroupId.Topic("x"), GroupId.Parse("topic:x"));
        Assert.Throws<OckamDecodeException>(() => GroupId.Parse("x"));
    }

    [Fact]
    public void A_body_that_is_not_a_canonical_map_of_text_names_is_a_decode_error()
    {
        var numberKeys = CborEncoder.Encode(w =>
        {
            w.WriteStartMap(1);
            w.WriteUInt32(1);
            w.WriteTextString("t");
            w.WriteEndMap();
        });
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<EnrollRequest>(numberKeys, ApiRequest.MaxSize, "test"));

        // Canonical order is shorter keys first: "uses" comes before "attributes".
        var unsorted = new CborWriter(CborConformanceMode.Lax);
        unsorted.WriteStartMap(2);
        unsorted.WriteTextString("attributes");
        unsorted.WriteStartMap(0);
        unsorted.WriteEndMap();
        unsorted.WriteTextString("uses");
        unsorted.WriteUInt64(1);
        unsorted.WriteEndMap();
        Assert.Throws<OckamDecodeException>(() => ApiBody.Decode<CreateTokenRequest>(unsorted.Encode(), ApiRequest.MaxSize, "test"));
    }

    [Fact]
    public void Version_1_requests_are_refused()
    {
        var v1 = CborEncoder.Encode(w =>
        {
            w.WriteStartMap(4);
            w.WriteUInt32(0);
            w.WriteUInt32(1);
            w.WriteUInt32(1);
            w.WriteUInt64(1);
            w.WriteUInt32(2);
            w.WriteUInt32((uint)ApiOperation.Enroll);
            w.WriteUInt32(3);
            w.WriteStartMap(0);
            w.WriteEndMap();
            w.WriteEndMap();
        });
        Assert.Throws<OckamDecodeException>(() => ApiRequest.Decode(v1));
    }

    private static byte[] Body(Action<ApiBodyWriter> write)
    {
        var body = new ApiBodyWriter();
        write(body);
        return body.Encode();
    }
}
