using Ockam.Grains.Contracts;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Grains.Tests;

[Collection(ClusterDefinition.Name)]
public sealed class IdentityGrainTests(ClusterFixture fixture) : IDisposable
{
    private readonly SoftwareVault vault = new();

    [Fact]
    public async Task Keeps_the_longest_history_and_refuses_rollbacks()
    {
        var identities = new IdentityManager(vault, TimeProvider.System);
        var original = await identities.CreateAsync();
        var grain = fixture.Grains.GetGrain<IIdentityGrain>(original.Identifier.ToString());
        Assert.False((await grain.GetStatusAsync()).Known);

        Assert.Equal(PublicationOutcome.Accepted, (await grain.PublishAsync(original.History.Encode())).Outcome);
        Assert.Equal(PublicationOutcome.Unchanged, (await grain.PublishAsync(original.History.Encode())).Outcome);

        var rotated = await identities.RotateAsync(original);
        Assert.Equal(PublicationOutcome.Accepted, (await grain.PublishAsync(rotated.History.Encode())).Outcome);
        var rollback = await grain.PublishAsync(original.History.Encode());
        Assert.Equal(PublicationOutcome.RolledBack, rollback.Outcome);
        Assert.Equal(rotated.History.Encode(), rollback.Current);

        var revoked = await identities.RevokeAsync(rotated);
        Assert.Equal(PublicationOutcome.Accepted, (await grain.PublishAsync(revoked.Encode())).Outcome);
        Assert.Equal(PublicationOutcome.RolledBack, (await grain.PublishAsync(rotated.History.Encode())).Outcome);
    }

    [Fact]
    public async Task Two_valid_histories_that_diverge_mark_the_identity_compromised()
    {
        // Someone holding the first key signs a second, different rotation: each branch verifies alone.
        using var actors = new Actors();
        var identity = await actors.IdentityAsync();
        var (branchA, _) = await Forge.ChangeAsync(actors, identity.History, identity.PrimaryKey);
        var (branchB, _) = await Forge.ChangeAsync(actors, identity.History, identity.PrimaryKey);
        var grain = fixture.Grains.GetGrain<IIdentityGrain>(identity.Identifier.ToString());

        Assert.Equal(PublicationOutcome.Accepted, (await grain.PublishAsync(branchA.Encode())).Outcome);
        Assert.Equal(PublicationOutcome.Forked, (await grain.PublishAsync(branchB.Encode())).Outcome);
        Assert.True((await grain.GetStatusAsync()).Compromised);
        Assert.Equal(PublicationOutcome.Compromised, (await grain.PublishAsync(branchA.Encode())).Outcome);
    }

    [Fact]
    public async Task Accepts_a_revocation_and_refuses_histories_of_other_identities_or_garbage()
    {
        var identities = new IdentityManager(vault, TimeProvider.System);
        var device = await identities.CreateAsync();
        var other = await identities.CreateAsync();
        var grain = fixture.Grains.GetGrain<IIdentityGrain>(device.Identifier.ToString());

        Assert.Equal(PublicationOutcome.Invalid, (await grain.PublishAsync(other.History.Encode())).Outcome);
        Assert.Equal(PublicationOutcome.Invalid, (await grain.PublishAsync([0xa1, 0x00])).Outcome);
        Assert.Equal(PublicationOutcome.Accepted, (await grain.PublishAsync(device.History.Encode())).Outcome);
        Assert.Equal(PublicationOutcome.Accepted, (await grain.PublishAsync((await identities.RevokeAsync(device)).Encode())).Outcome);
        Assert.True((await grain.GetStatusAsync()).Revoked);
    }

    public void Dispose() => vault.Dispose();
}
