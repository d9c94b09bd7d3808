using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using static Ockam.Identity.Tests.Mls.MlsScenes;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The roles GroupContext extension and the policy built on it: only admins add, remove or change the extensions —
/// members refuse a non-admin's commit, and a non-admin cannot make itself admin — and the extension decodes within
/// its bounds or not at all.
/// </summary>
public sealed class GroupRolesTests
{
    [Fact]
    public void Roles_round_trip_and_malformed_ones_are_refused()
    {
        var a = Identifier.FromHash(new byte[32]);
        var b = Identifier.FromHash(Enumerable.Repeat((byte)7, 32).ToArray());
        var roles = GroupRoles.Of([a, b]);
        var extension = roles.ToExtension();
        Assert.Equal(GroupRoles.Type, extension.ExtensionType);
        Assert.Equal([a, b], GroupRoles.Of([extension])!.Admins);
        Assert.Null(GroupRoles.Of(Array.Empty<Extension>()));

        var encoded = extension.ExtensionData.ToArray();
        Assert.Throws<OckamDecodeException>(() => GroupRoles.Decode(encoded.AsSpan(0, encoded.Length - 1)));
        Assert.Throws<OckamDecodeException>(() => GroupRoles.Decode([.. encoded, 0]));
        Assert.Throws<OckamDecodeException>(() => GroupRoles.Decode([0]));
        Assert.Throws<OckamDecodeException>(() => GroupRoles.Decode(Vector([.. a.ToBytes(), .. a.ToBytes()])));
        Assert.Throws<OckamDecodeException>(() => GroupRoles.Decode(Vector(new byte[31])));
        Assert.Throws<OckamDecodeException>(() => GroupRoles.Decode(Vector(new byte[(GroupRoles.MaxAdmins + 1) * 32])));
        Assert.Throws<OckamDecodeException>(() => GroupRoles.Of([extension, extension]));
        Assert.Throws<ArgumentException>(() => GroupRoles.Of(Array.Empty<Identifier>()));
    }

    [Fact]
    public async Task Members_refuse_a_non_admins_add_and_its_self_promotion_and_accept_an_admins()
    {
        using var alice = await MlsTestMember.CreateAsync(Name("alice"), policy: RoleMembershipPolicy.Instance);
        using var bob = await MlsTestMember.CreateAsync(Name("bob"));
        using var carol = await MlsTestMember.CreateAsync(Name("carol"));
        await alice.FoundAsync("room"u8.ToArray(), [GroupRoles.Of([Id("alice")]).ToExtension()]);
        var add = await alice.Group.CommitAsync([new Proposal(new AddProposal(bob.Bundle.KeyPackage))]);
        alice.Group.MergePendingCommit();
        bob.Join(add.Welcome!, null);

        // Bob's own client lets anyone change the group; Alice's follows the roles.
        var before = alice.Snapshot();
        var bobAdds = await bob.Group.CommitAsync([new Proposal(new AddProposal(carol.Bundle.KeyPackage))]);
        Assert.Equal(MlsGroupError.Unauthorized, Assert.Throws<MlsGroupException>(() => alice.Group.ProcessCommit(Wire(bobAdds.Commit))).Error);
        bob.Group.DiscardPendingCommit();
        var promotion = await bob.Group.CommitAsync([new Proposal(new GroupContextExtensionsProposal([GroupRoles.Of([Id("alice"), Id("bob")]).ToExtension()]))]);
        Assert.Equal(MlsGroupError.Unauthorized, Assert.Throws<MlsGroupException>(() => alice.Group.ProcessCommit(Wire(promotion.Commit))).Error);
        bob.Group.DiscardPendingCommit();
        Assert.Equal(before, alice.Snapshot());

        // An admin may neither leave the group without roles…
        Assert.Equal(MlsGroupError.Unauthorized, (await Assert.ThrowsAsync<MlsGroupException>(() => alice.Group.CommitAsync([new Proposal(new GroupContextExtensionsProposal([]))]))).Error);

        // …but may make Bob an admin, after which Bob's add is one Alice accepts.
        var promote = await alice.Group.CommitAsync([new Proposal(new GroupContextExtensionsProposal([GroupRoles.Of([Id("alice"), Id("bob")]).ToExtension()]))]);
        alice.Group.MergePendingCommit();
        bob.Group.ProcessCommit(Wire(promote.Commit));
        var admitted = await bob.Group.CommitAsync([new Proposal(new AddProposal(carol.Bundle.KeyPackage))]);
        alice.Group.ProcessCommit(Wire(admitted.Commit));
        Assert.Equal(3, alice.Group.Members.Count());
    }

    /// <summary>A test member's name of 32 bytes, so that its basic credential names an identifier.</summary>
    private static string Name(string name) => name.PadRight(Identifier.HashLength, '.');

    private static Identifier Id(string name) => Identifier.FromHash(System.Text.Encoding.UTF8.GetBytes(Name(name)));

    private static byte[] Vector(byte[] body)
    {
        var writer = new MlsWriter();
        writer.WriteVector(body);
        return writer.ToArray();
    }
}
