using Ockam.Identity.Mls;

namespace Ockam.Identity.Tests.Mls;

/// <summary>What the MLS tests set up and check again and again: a message as it crosses the wire, a group built one Add at a time, a message every receiver reads.</summary>
internal static class MlsScenes
{
    /// <summary><paramref name="message"/> encoded and decoded again, as a peer receives it.</summary>
    public static MlsMessage Wire(MlsMessage message) => MlsMessage.Decode(message.Encode());

    /// <summary><paramref name="founder"/> founds "room" and adds the others one commit each; the members already in process each commit.</summary>
    public static async Task GroupOfAsync(MlsTestMember founder, params MlsTestMember[] others)
    {
        await founder.FoundAsync("room"u8.ToArray());
        var joined = new List<MlsTestMember>();
        foreach (var member in others)
        {
            var add = await founder.Group.CommitAsync([new Proposal(new AddProposal(member.Bundle.KeyPackage))]);
            founder.Group.MergePendingCommit();
            foreach (var old in joined)
            {
                old.Group.ProcessCommit(Wire(add.Commit));
            }

            member.Join(Wire(MlsMessage.Of(add.Welcome!)).Welcome!, null);
            joined.Add(member);
        }
    }

    /// <summary><paramref name="sender"/> encrypts <paramref name="text"/>; every receiver reads it, from the sender's leaf.</summary>
    public static void AssertDelivered(string text, MlsTestMember sender, params MlsTestMember[] receivers)
    {
        var message = Wire(sender.Group.Encrypt(System.Text.Encoding.UTF8.GetBytes(text)));
        foreach (var receiver in receivers)
        {
            var (from, data) = receiver.Group.Decrypt(message);
            Assert.Equal(sender.Group.OwnLeaf, from);
            Assert.Equal(text, System.Text.Encoding.UTF8.GetString(data));
        }
    }
}
