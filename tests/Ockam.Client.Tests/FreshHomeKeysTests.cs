using Microsoft.Extensions.Time.Testing;
using Ockam.Client.Edge;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Messaging.Nodes;

namespace Ockam.Client.Tests;

/// <summary>
/// A fresh node home makes its identity, its channel key and the group keys its enrolment publishes together when it
/// first opens (one write of the identities file, not two); a home that has them leaves their renewal to the calls
/// that publish them.
/// </summary>
public sealed class FreshHomeKeysTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    [Fact]
    public async Task A_fresh_home_makes_its_group_keys_when_it_first_opens_and_a_later_open_renews_only_its_channel_key()
    {
        using var home = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var elsewhere = new SoftwareVault();
        var silo = (await new IdentityManager(elsewhere, clock).CreateAsync()).Identifier;
        var options = new EdgeNodeOptions { Home = home.Path, Silo = "127.0.0.1:1", SiloIdentifier = silo, Time = clock };
        var opened = clock.GetUtcNow();
        await (await EdgeNode.OpenAsync(options)).DisposeAsync();

        // Made when the home was opened, not by this later call (which would make them now, an hour later).
        clock.Advance(TimeSpan.FromHours(1));
        IReadOnlyList<PurposeKey> first;
        using (var reopened = await NodeHome.OpenAsync(home.Path, clock))
        {
            first = await reopened.GetOrCreatePurposeKeysAsync("default", [Purpose.SecureChannelStatic, Purpose.GroupKeyAgreement, Purpose.GroupSigning], Lifetime, TimeSpan.Zero);
        }

        Assert.All(first, k => Assert.InRange(k.Attestation.ExpiresAt, opened + Lifetime - TimeSpan.FromSeconds(1), opened + Lifetime + TimeSpan.FromSeconds(1)));

        // Within a third of their lifetime of expiring: opening renews the channel key it uses, but not the group keys
        // (renewing those without publishing them would leave the silo with attestations of keys the home deleted).
        clock.Advance(TimeSpan.FromDays(21));
        await (await EdgeNode.OpenAsync(options)).DisposeAsync();
        using (var reopened = await NodeHome.OpenAsync(home.Path, clock))
        {
            var later = await reopened.GetOrCreatePurposeKeysAsync("default", [Purpose.SecureChannelStatic, Purpose.GroupKeyAgreement, Purpose.GroupSigning], Lifetime, TimeSpan.Zero);
            Assert.NotEqual(first[0].Key.Id, later[0].Key.Id);
            Assert.Equal(first[1].Key.Id, later[1].Key.Id);
            Assert.Equal(first[2].Key.Id, later[2].Key.Id);
        }
    }
}
