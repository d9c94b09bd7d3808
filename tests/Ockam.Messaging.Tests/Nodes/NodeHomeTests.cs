using Ockam.Identity.Identities;
using Ockam.Messaging.Nodes;

namespace Ockam.Messaging.Tests.Nodes;

/// <summary>A node home makes its identity and purpose keys on first use, several at once if asked, and keeps them across restarts.</summary>
public sealed class NodeHomeTests : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);
    private readonly string directory = Directory.CreateTempSubdirectory("ockam-home-").FullName;

    [Fact]
    public async Task Keys_made_together_with_a_fresh_identity_are_all_kept_and_found_again_after_a_restart()
    {
        Identifier identifier;
        IReadOnlyList<PurposeKey> made;
        using (var home = await NodeHome.OpenAsync(directory))
        {
            made = await home.GetOrCreatePurposeKeysAsync("default", [Purpose.GroupKeyAgreement, Purpose.GroupSigning], Lifetime, Lifetime / 3);
            identifier = (await home.GetOrCreateIdentityAsync("default")).Identifier;
            Assert.Equal([Purpose.GroupKeyAgreement, Purpose.GroupSigning], made.Select(k => k.Attestation.Purpose));
        }

        using var reopened = await NodeHome.OpenAsync(directory);
        Assert.Equal(identifier, (await reopened.GetOrCreateIdentityAsync("default")).Identifier);

        // Found, not made again: the same vault keys, whichever way they are asked for.
        var found = await reopened.GetOrCreatePurposeKeysAsync("default", [Purpose.GroupSigning, Purpose.GroupKeyAgreement], Lifetime, Lifetime / 3);
        Assert.Equal([made[1].Key.Id, made[0].Key.Id], found.Select(k => k.Key.Id));
        Assert.Equal(made[0].Key.Id, (await reopened.GetOrCreatePurposeKeyAsync("default", Purpose.GroupKeyAgreement, Lifetime, Lifetime / 3)).Key.Id);
        Assert.True(reopened.Vault.Contains(found[0].Key));
    }

    [Fact]
    public async Task A_purpose_asked_for_twice_in_one_call_is_refused_and_nothing_is_made()
    {
        using var home = await NodeHome.OpenAsync(directory);
        await Assert.ThrowsAsync<ArgumentException>(() => home.GetOrCreatePurposeKeysAsync("default", [Purpose.GroupSigning, Purpose.GroupSigning], Lifetime, Lifetime / 3));
        Assert.False(File.Exists(Path.Combine(directory, "identities.cbor")));
    }

    [Fact]
    public async Task Keys_voided_by_a_rotation_are_made_again_though_this_process_made_them()
    {
        using var home = await NodeHome.OpenAsync(directory);
        var made = await home.GetOrCreatePurposeKeysAsync("default", [Purpose.GroupKeyAgreement, Purpose.GroupSigning], Lifetime, Lifetime / 3);
        var identity = await home.GetOrCreateIdentityAsync("default");
        Assert.Equal(made[0].Key.Id, (await home.GetOrCreatePurposeKeyAsync("default", Purpose.GroupKeyAgreement, Lifetime, Lifetime / 3)).Key.Id);

        // The home remembers what it made and verified, for the history it was made for: a rotation that revokes purpose
        // keys leaves none of them usable, however recently they were checked.
        await home.UpdateIdentityAsync("default", await home.Identities.RotateAsync(identity, revokePurposeKeys: true));
        var renewed = await home.GetOrCreatePurposeKeysAsync("default", [Purpose.GroupKeyAgreement, Purpose.GroupSigning], Lifetime, Lifetime / 3);
        Assert.DoesNotContain(renewed, k => made.Any(m => m.Key.Id == k.Key.Id));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
