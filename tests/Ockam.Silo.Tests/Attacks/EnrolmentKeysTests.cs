using System.Text;
using Ockam.Grains.Contracts;
using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Silo.Tests.Support;

namespace Ockam.Silo.Tests.Attacks;

/// <summary>
/// Enrolment carries the device's group keys and first KeyPackages over its one channel. The silo stores them (with the
/// identity's history, in one write) only once the token has made the channel's proven identity a member, only on that
/// identity, and only if every one of them checks against its history: no one publishes keys for another, and a
/// refused enrolment leaves nothing behind.
/// </summary>
public sealed class EnrolmentKeysTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private RunningSilo silo = null!;

    public async Task InitializeAsync() => silo = await RunningSilo.StartAsync(data.Path);

    public async Task DisposeAsync()
    {
        await silo.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task A_device_enrols_and_publishes_its_group_keys_and_key_packages_in_one_request()
    {
        await using var device = await Edge.CreateAsync(silo);
        var keys = await KeysAsync(device, packages: 2);
        var (_, api) = await device.OpenAsync("secure");

        Assert.Equal(ApiStatus.Ok, (await api.CallAsync(new EnrollRequest(await TokenAsync(), keys))).Status);

        var grain = silo.Grains.GetGrain<IIdentityGrain>(device.Identifier.ToString());
        var (_, agreement, signing) = await grain.GetGroupKeysAsync();
        Assert.Equal(keys.Agreement.ToArray(), agreement);
        Assert.Equal(keys.Signing.ToArray(), signing);
        Assert.Equal(2, (await grain.PublishKeyPackagesAsync([])).Held);
        var claimed = await grain.ClaimKeyPackageAsync("inviter");
        Assert.Equal(keys.KeyPackages[0].ToArray(), claimed.KeyPackage);
    }

    /// <summary>Fails if the keys were stored before (or regardless of) the redemption's outcome.</summary>
    [Fact]
    public async Task A_refused_redemption_stores_none_of_the_keys_it_carried()
    {
        await using var device = await Edge.CreateAsync(silo);
        var keys = await KeysAsync(device, packages: 2);
        var (_, api) = await device.OpenAsync("secure");

        Assert.Equal(ApiStatus.TokenUnknown, (await api.CallAsync(new EnrollRequest("no such token", keys))).Status);
        var used = await TokenAsync();
        await using (var first = await Edge.CreateAsync(silo))
        {
            var (_, firstApi) = await first.OpenAsync("secure");
            Assert.Equal(ApiStatus.Ok, (await firstApi.CallAsync(new EnrollRequest(used))).Status);
        }

        Assert.Equal(ApiStatus.TokenUsed, (await api.CallAsync(new EnrollRequest(used, keys))).Status);

        await AssertNothingStoredAsync(device.Identifier);
    }

    /// <summary>Fails if the silo stored an agreement key attested by another identity on the caller.</summary>
    [Fact]
    public async Task Mallory_cannot_enrol_with_alices_agreement_key()
    {
        await using var alice = await Edge.CreateAsync(silo);
        await using var mallory = await Edge.CreateAsync(silo);
        var alices = await KeysAsync(alice, packages: 0);
        var mallorys = await KeysAsync(mallory, packages: 1);
        var (_, api) = await mallory.OpenAsync("secure");

        var response = await api.CallAsync(new EnrollRequest(await TokenAsync(), mallorys with { Agreement = alices.Agreement }));

        Assert.Equal(ApiStatus.Rejected, response.Status);
        await AssertNothingStoredAsync(mallory.Identifier);
        await AssertNothingStoredAsync(alice.Identifier);
    }

    /// <summary>Fails if one bad package let the rest, or the group keys, be stored: it is all or nothing.</summary>
    [Fact]
    public async Task Mallory_cannot_enrol_with_a_key_package_of_alices()
    {
        await using var alice = await Edge.CreateAsync(silo);
        await using var mallory = await Edge.CreateAsync(silo);
        var alices = await KeysAsync(alice, packages: 1);
        var mallorys = await KeysAsync(mallory, packages: 1);
        var (_, api) = await mallory.OpenAsync("secure");

        var response = await api.CallAsync(new EnrollRequest(await TokenAsync(), mallorys with { KeyPackages = [mallorys.KeyPackages[0], alices.KeyPackages[0]] }));

        Assert.Equal(ApiStatus.Rejected, response.Status);
        Assert.Contains("key package 1", response.Error);
        await AssertNothingStoredAsync(mallory.Identifier);
        await AssertNothingStoredAsync(alice.Identifier);
    }

    private async Task AssertNothingStoredAsync(Identifier subject)
    {
        var grain = silo.Grains.GetGrain<IIdentityGrain>(subject.ToString());
        var (history, agreement, signing) = await grain.GetGroupKeysAsync();
        Assert.Null(history);
        Assert.Null(agreement);
        Assert.Null(signing);
        Assert.Equal(KeyPackageClaimOutcome.NoneLeft, (await grain.ClaimKeyPackageAsync("inviter")).Outcome);
    }

    private Task<string> TokenAsync() =>
        silo.Grains.GetGrain<IAuthorityGrain>("default").CreateOperatorTokenAsync(
            new Dictionary<string, byte[]> { ["ockam.role"] = Encoding.UTF8.GetBytes("sensor") }, TimeSpan.FromHours(1), uses: 1);

    /// <summary>What a device's enrolment carries: its own group key attestations and <paramref name="packages"/> KeyPackages.</summary>
    private static async Task<EnrolmentKeys> KeysAsync(Edge edge, int packages)
    {
        var identities = new IdentityManager(edge.Vault, TimeProvider.System);
        var agreement = await identities.CreatePurposeKeyAsync(edge.Identity, Purpose.GroupKeyAgreement, TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
        var signing = await identities.CreatePurposeKeyAsync(edge.Identity, Purpose.GroupSigning, TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
        var encoded = new List<ReadOnlyMemory<byte>>();
        for (var i = 0; i < packages; i++)
        {
            encoded.Add((await OckamKeyPackages.CreateAsync(edge.Vault, signing, TimeProvider.System, [], KeyPersistence.Ephemeral)).KeyPackage.Encode());
        }

        return new EnrolmentKeys(agreement.Attestation.Encode(), signing.Attestation.Encode(), encoded);
    }
}
