using Ockam.Identity.Identities;

namespace Ockam.Identity.Tests.Identities;

public sealed class IdentityTests : IDisposable
{
    private readonly Actors actors = new();

    [Fact]
    public async Task Identifier_is_I_plus_sha256_of_the_first_change_and_survives_rotation()
    {
        var identity = await actors.IdentityAsync();
        var expected = "I" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(identity.History.Changes[0].EncodedData));
        Assert.Equal(expected, identity.Identifier.Value);
        Assert.Matches("^I[0-9a-f]{64}$", identity.Identifier.Value);

        actors.Time.Advance(TimeSpan.FromDays(1));
        var rotated = await actors.Identities.RotateAsync(identity);
        Assert.Equal(identity.Identifier, rotated.Identifier);
        Assert.Equal(2, rotated.History.Changes.Count);
        var verified = actors.Verify(rotated);
        Assert.Equal(actors.Vault.GetPublicKey(rotated.PrimaryKey), verified.PrimaryPublicKey);
        Assert.False(actors.Vault.Contains(identity.PrimaryKey));
    }

    [Fact]
    public async Task A_history_round_trips_through_its_encoding_and_still_verifies()
    {
        var identity = await actors.Identities.RotateAsync(await actors.IdentityAsync());
        var decoded = ChangeHistory.Decode(identity.History.Encode());
        Assert.Equal(identity.History.Encode(), decoded.Encode());
        Assert.Equal(identity.Identifier, decoded.Verify(actors.Vault, actors.Now).Identifier);
    }

    [Fact]
    public async Task Revocation_ends_the_identity_and_nothing_may_follow_it()
    {
        var identity = await actors.IdentityAsync();
        var revoked = await actors.Identities.RevokeAsync(identity);
        var verified = revoked.Verify(actors.Vault, actors.Now);
        Assert.True(verified.IsRevoked);
        Assert.Equal(IdentityError.Revoked, Assert.Throws<IdentityException>(() => verified.EnsureUsable(actors.Now)).Error);
        Assert.False(actors.Vault.Contains(identity.PrimaryKey));

        // A change appended after a revocation, even one properly signed by the revoking key, is refused.
        var victim = await actors.IdentityAsync();
        var (revokedByHand, revokingKey) = await Forge.ChangeAsync(actors, victim.History, victim.PrimaryKey, revoked: true);
        Assert.True(revokedByHand.Verify(actors.Vault, actors.Now).IsRevoked);
        var (resurrected, _) = await Forge.ChangeAsync(actors, revokedByHand, revokingKey);
        Assert.Equal(IdentityError.ChangeAfterRevocation, Assert.Throws<IdentityException>(() => resurrected.Verify(actors.Vault, actors.Now)).Error);
    }

    [Fact]
    public async Task Attack_change_signed_only_by_the_new_key_is_refused()
    {
        var identity = await actors.IdentityAsync();
        var (forged, _) = await Forge.ChangeAsync(actors, identity.History, previousSigner: null);
        Assert.Equal(IdentityError.BadPreviousSignature, Assert.Throws<IdentityException>(() => forged.Verify(actors.Vault, actors.Now)).Error);
    }

    [Fact]
    public async Task Attack_change_signed_by_a_key_not_in_the_history_is_refused()
    {
        var identity = await actors.IdentityAsync();
        var stranger = await actors.IdentityAsync();
        var (forged, _) = await Forge.ChangeAsync(actors, identity.History, previousSigner: stranger.PrimaryKey);
        Assert.Equal(IdentityError.BadPreviousSignature, Assert.Throws<IdentityException>(() => forged.Verify(actors.Vault, actors.Now)).Error);
    }

    [Fact]
    public async Task Attack_reordered_history_is_refused()
    {
        var identity = await actors.IdentityAsync();
        actors.Time.Advance(TimeSpan.FromHours(1));
        identity = await actors.Identities.RotateAsync(identity);
        actors.Time.Advance(TimeSpan.FromHours(1));
        identity = await actors.Identities.RotateAsync(identity);
        var changes = identity.History.Changes;
        var reordered = Forge.History([changes[0], changes[2], changes[1]]);
        Assert.Equal(IdentityError.BrokenChain, Assert.Throws<IdentityException>(() => reordered.Verify(actors.Vault, actors.Now)).Error);
    }

    [Fact]
    public async Task Attack_truncated_history_presented_later_does_not_roll_back_a_verifier()
    {
        var original = await actors.IdentityAsync();
        var rotated = await actors.Identities.RotateAsync(original, revokePurposeKeys: true);
        var known = new KnownIdentities(actors.Vault);
        Assert.Equal(2, known.Accept(rotated.History, actors.Now).History.Changes.Count);

        // The old, shorter history is valid on its own, but the verifier refuses it and keeps the newer one.
        Assert.Equal(HistoryComparison.Older, ChangeHistory.Compare(rotated.History, original.History));
        Assert.Equal(IdentityError.RolledBack, Assert.Throws<IdentityException>(() => known.Accept(original.History, actors.Now)).Error);
        var kept = known.Get(rotated.Identifier)!;
        Assert.Equal(2, kept.History.Changes.Count);
        Assert.Equal(actors.Vault.GetPublicKey(rotated.PrimaryKey), kept.PrimaryPublicKey);
    }

    [Fact]
    public async Task Attack_fork_marks_the_identity_compromised()
    {
        var identity = await actors.IdentityAsync();
        var known = new KnownIdentities(actors.Vault);
        var (branchA, _) = await Forge.ChangeAsync(actors, identity.History, identity.PrimaryKey);
        var (branchB, _) = await Forge.ChangeAsync(actors, identity.History, identity.PrimaryKey);
        known.Accept(branchA, actors.Now);

        Assert.Equal(HistoryComparison.Fork, ChangeHistory.Compare(branchA, branchB));
        Assert.Equal(IdentityError.Fork, Assert.Throws<IdentityException>(() => known.Accept(branchB, actors.Now)).Error);
        Assert.True(known.IsCompromised(identity.Identifier));
        Assert.Null(known.Get(identity.Identifier));
        Assert.Equal(IdentityError.Compromised, Assert.Throws<IdentityException>(() => known.Accept(branchA, actors.Now)).Error);
    }

    [Fact]
    public async Task Compare_tells_same_extends_older_and_fork()
    {
        var one = await actors.IdentityAsync();
        var two = await actors.Identities.RotateAsync(one);
        Assert.Equal(HistoryComparison.Same, ChangeHistory.Compare(two.History, ChangeHistory.Decode(two.History.Encode())));
        Assert.Equal(HistoryComparison.Extends, ChangeHistory.Compare(one.History, two.History));
        Assert.Equal(HistoryComparison.Older, ChangeHistory.Compare(two.History, one.History));
        var other = await actors.IdentityAsync();
        Assert.Throws<ArgumentException>(() => ChangeHistory.Compare(one.History, other.History));
    }

    [Fact]
    public async Task A_change_from_the_future_or_signed_after_the_old_key_expired_is_refused()
    {
        var identity = await actors.Identities.CreateAsync(TimeSpan.FromDays(1));
        // Within the tolerated skew a slightly early clock still accepts the change.
        Assert.NotNull(identity.History.Verify(actors.Vault, actors.Now - TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1)));
        Assert.Equal(IdentityError.FromTheFuture, Assert.Throws<IdentityException>(() => identity.History.Verify(actors.Vault, actors.Now - TimeSpan.FromHours(2))).Error);

        actors.Time.Advance(TimeSpan.FromDays(2));
        var late = await actors.Identities.RotateAsync(identity);
        Assert.Equal(IdentityError.SignedWithExpiredKey, Assert.Throws<IdentityException>(() => actors.Verify(late)).Error);
    }

    [Fact]
    public async Task Purpose_key_attestation_verifies_for_its_subject_and_purpose_only()
    {
        var identity = await actors.IdentityAsync();
        var key = await actors.Identities.CreatePurposeKeyAsync(identity, Purpose.SecureChannelStatic, TimeSpan.FromDays(1));
        var verified = actors.Verify(identity);
        var attested = key.Attestation.Verify(verified, Purpose.SecureChannelStatic, actors.Vault, actors.Now);
        Assert.Equal(actors.Vault.GetPublicKey(key.Key), attested.PublicKey);
        Assert.Equal(key.Attestation.Encode(), PurposeKeyAttestation.Decode(key.Attestation.Encode()).Encode());

        Assert.Equal(IdentityError.AttestationWrongPurpose, Assert.Throws<IdentityException>(() => key.Attestation.Verify(verified, Purpose.CredentialSigning, actors.Vault, actors.Now)).Error);
        var other = actors.Verify(await actors.IdentityAsync());
        Assert.Equal(IdentityError.AttestationWrongSubject, Assert.Throws<IdentityException>(() => key.Attestation.Verify(other, Purpose.SecureChannelStatic, actors.Vault, actors.Now)).Error);
        Assert.Equal(IdentityError.AttestationExpired, Assert.Throws<IdentityException>(() => key.Attestation.Verify(verified, Purpose.SecureChannelStatic, actors.Vault, actors.Now + TimeSpan.FromDays(2))).Error);
    }

    [Fact]
    public async Task Attack_purpose_key_used_after_revoke_purpose_keys_is_refused()
    {
        var identity = await actors.IdentityAsync();
        var key = await actors.Identities.CreatePurposeKeyAsync(identity, Purpose.CredentialSigning, TimeSpan.FromDays(30));

        // A routine rotation keeps earlier attestations valid...
        actors.Time.Advance(TimeSpan.FromHours(1));
        var routine = await actors.Identities.RotateAsync(identity);
        key.Attestation.Verify(actors.Verify(routine), Purpose.CredentialSigning, actors.Vault, actors.Now);

        // ...a rotation that revokes purpose keys voids them.
        actors.Time.Advance(TimeSpan.FromHours(1));
        var revoking = await actors.Identities.RotateAsync(routine, revokePurposeKeys: true);
        var error = Assert.Throws<IdentityException>(() => key.Attestation.Verify(actors.Verify(revoking), Purpose.CredentialSigning, actors.Vault, actors.Now));
        Assert.Equal(IdentityError.PurposeKeysRevoked, error.Error);

        // A fresh attestation by the new key is fine.
        var fresh = await actors.Identities.CreatePurposeKeyAsync(revoking, Purpose.CredentialSigning, TimeSpan.FromDays(1));
        fresh.Attestation.Verify(actors.Verify(revoking), Purpose.CredentialSigning, actors.Vault, actors.Now);
    }

    [Fact]
    public async Task Attestation_by_a_superseded_key_dated_after_the_rotation_is_refused()
    {
        var identity = await actors.IdentityAsync();
        actors.Time.Advance(TimeSpan.FromHours(1));
        var (rotated, _) = await Forge.ChangeAsync(actors, identity.History, identity.PrimaryKey);

        // An attacker who kept the superseded key signs a new attestation after the rotation.
        actors.Time.Advance(TimeSpan.FromHours(1));
        var attestation = actors.Identities.Attest(identity, Purpose.SecureChannelStatic, new byte[32], actors.Now, actors.Now + TimeSpan.FromDays(1));
        var error = Assert.Throws<IdentityException>(() => attestation.Verify(rotated.Verify(actors.Vault, actors.Now), Purpose.SecureChannelStatic, actors.Vault, actors.Now));
        Assert.Equal(IdentityError.SignedWithExpiredKey, error.Error);
    }

    [Fact]
    public void Identifier_parsing_is_strict()
    {
        var text = "I" + new string('a', 64);
        Assert.Equal(text, Identifier.Parse(text).Value);
        Assert.False(Identifier.TryParse("I" + new string('A', 64), out _));
        Assert.False(Identifier.TryParse("I" + new string('a', 63), out _));
        Assert.False(Identifier.TryParse("P" + new string('a', 64), out _));
        Assert.False(Identifier.TryParse(null, out _));
        Assert.Throws<FormatException>(() => Identifier.Parse("nope"));
    }

    public void Dispose() => actors.Dispose();
}
