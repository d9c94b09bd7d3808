using Ockam.Identity.Encoding;
using Ockam.Identity.Mls;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The MLS wire structs against hostile input — truncated, trailing, unknown selectors, bad tree shapes, oversized
/// lengths — each an <see cref="OckamDecodeException"/>; and the FramedContentTBS encoding's rule on the group context.
/// </summary>
public sealed class MlsWireStructTests
{
    [Fact]
    public void Every_truncation_of_a_commit_message_is_refused()
    {
        var message = Field("public_message_commit");
        for (var length = 0; length < message.Length; length++)
        {
            Assert.Throws<OckamDecodeException>(() => MlsMessage.Decode(message.AsSpan(0, length)));
        }
    }

    [Theory]
    [InlineData("mls_welcome")]
    [InlineData("mls_group_info")]
    [InlineData("mls_key_package")]
    [InlineData("private_message")]
    public void A_trailing_byte_is_refused(string field)
    {
        byte[] message = [.. Field(field), 0];
        Assert.Throws<OckamDecodeException>(() => MlsMessage.Decode(message));
    }

    [Theory]
    [InlineData("0001" + "0000")] // reserved wire format
    [InlineData("0001" + "0006")] // unknown wire format
    [InlineData("0002" + "0005")] // not mls10
    public void An_unknown_version_or_wire_format_is_refused(string header)
    {
        var body = Field("mls_key_package")[4..];
        byte[] message = [.. Convert.FromHexString(header), .. body];
        Assert.Throws<OckamDecodeException>(() => MlsMessage.Decode(message));
    }

    [Fact]
    public void An_unknown_proposal_type_is_refused()
    {
        // A commit carrying one proposal by value (type 1) of proposal type 8, with a 4-byte body.
        var commit = Convert.FromHexString("07" + "01" + "0008" + "00000001" + "00");
        Assert.Throws<OckamDecodeException>(() => Commit.Decode(commit));
    }

    [Fact]
    public void An_unknown_sender_type_is_refused()
    {
        // PublicMessage: group_id "g", epoch 0, sender type 5.
        var message = Convert.FromHexString("0001" + "0001" + "0167" + "0000000000000000" + "05");
        Assert.Throws<OckamDecodeException>(() => MlsMessage.Decode(message));
    }

    [Fact]
    public void An_unknown_credential_type_is_refused()
    {
        // A leaf node: empty encryption and signature keys, then credential type 3.
        var leaf = Convert.FromHexString("00" + "00" + "0003" + "00");
        Assert.Throws<OckamDecodeException>(() => MlsReader.DecodeExact(leaf, LeafNode.Read));
    }

    [Theory]
    [InlineData("")] // no tree at all
    [InlineData("00")] // one blank leaf
    [InlineData("02" + "00" + "00")] // an even number of nodes: ends on a parent position
    [InlineData("03" + "00" + "00" + "00")] // ends with a blank leaf
    public void A_ratchet_tree_of_the_wrong_shape_is_refused(string nodes)
    {
        var tree = Convert.FromHexString(nodes.Length == 0 ? "00" : nodes);
        Assert.Throws<OckamDecodeException>(() => RatchetTree.Decode(tree));
    }

    [Fact]
    public void A_parent_at_a_leaf_position_is_refused()
    {
        // A one-node tree whose node is a parent: empty key and hash, no unmerged leaves.
        var tree = Convert.FromHexString("05" + "01" + "02" + "00" + "00" + "00");
        Assert.Throws<OckamDecodeException>(() => RatchetTree.Decode(tree));
    }

    [Fact]
    public void An_oversized_length_is_refused_before_anything_is_read()
    {
        // A ratchet tree claiming 1 GiB - 1 bytes, above the bound, with 4 bytes behind it.
        Assert.Throws<OckamDecodeException>(() => RatchetTree.Decode(Convert.FromHexString("bfffffff" + "00000000")));

        // A private message whose group id claims 5 000 bytes, above the identifier bound, with all of them present.
        byte[] message = [.. Convert.FromHexString("0001" + "0002" + "5388"), .. new byte[5000]];
        Assert.Throws<OckamDecodeException>(() => MlsMessage.Decode(message));
    }

    [Fact]
    public void FramedContentTBS_appends_the_group_context_for_a_member_only()
    {
        var message = MlsMessage.Decode(Field("public_message_commit")).PublicMessage!;
        var content = message.Content;
        var context = new GroupContext(1, "g"u8, 7, new byte[32], new byte[32], []).Encode();
        var writer = new MlsWriter();
        content.Write(writer);
        byte[] expected = [0, 1, 0, 1, .. writer.ToArray(), .. context];

        if (content.Sender.SignsGroupContext)
        {
            Assert.Equal(expected, content.EncodeTbs(WireFormat.PublicMessage, context));
            Assert.Throws<ArgumentException>(() => content.EncodeTbs(WireFormat.PublicMessage, []));
        }
        else
        {
            Assert.Equal(expected[..^context.Length], content.EncodeTbs(WireFormat.PublicMessage, []));
            Assert.Throws<ArgumentException>(() => content.EncodeTbs(WireFormat.PublicMessage, context));
        }
    }

    private static byte[] Field(string name)
    {
        using var document = TestVectors.Load("mls/messages.json");
        return document.RootElement[0].Hex(name);
    }
}
