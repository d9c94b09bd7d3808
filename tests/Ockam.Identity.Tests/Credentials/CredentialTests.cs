using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Identity.Tests.Credentials;

public sealed class CredentialTests : IDisposable
{
    private readonly Actors actors = new();

    [Fact]
    public async Task An_authority_credential_verifies_and_round_trips()
    {
        var (authority, issuer, trust) = await AuthorityAsync();
        var device = await actors.IdentityAsync();
        var presented = issuer.Issue(device.Identifier, Actors.Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(8), serial: 1);

        var decoded = CredentialPresentation.Decode(presented.Encode());
        Assert.Equal(presented.Encode(), decoded.Encode());
        var verified = trust.Verify(decoded, device.Identifier, actors.Now);
        Assert.Equal(authority.Identifier, verified.TrustAnchor);
        Assert.Equal("sensor", verified.Data.GetText("ockam.role"));
    }

    [Fact]
    public async Task Attack_credential_from_an_untrusted_issuer_is_refused()
    {
        var (_, _, trust) = await AuthorityAsync();
        var rogue = await actors.IssuerAsync(await actors.IdentityAsync());
        var device = await actors.IdentityAsync();
        var presented = rogue.Issue(device.Identifier, Actors.Attributes(("ockam.role", "admin")), TimeSpan.FromHours(1), 1);
        Assert.Equal(CredentialError.UntrustedIssuer, Refused(trust, presented, device.Identifier));
    }

    [Fact]
    public async Task Attack_expired_and_not_yet_valid_credentials_are_refused()
    {
        var (_, issuer, trust) = await AuthorityAsync();
        var device = await actors.IdentityAsync();
        var presented = issuer.Issue(device.Identifier, Actors.Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), 1);

        // Inside the skew both ends still pass; beyond it they do not.
        trust.Verify(presented, device.Identifier, actors.Now + TimeSpan.FromHours(1) + TimeSpan.FromSeconds(30));
        Assert.Equal(CredentialError.Expired, Refused(trust, presented, device.Identifier, actors.Now + TimeSpan.FromHours(1) + TimeSpan.FromMinutes(2)));
        Assert.Equal(CredentialError.NotYetValid, Refused(trust, presented, device.Identifier, actors.Now - TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public async Task Attack_revoked_credential_is_refused()
    {
        var (_, issuer, trust) = await AuthorityAsync();
        var device = await actors.IdentityAsync();
        var presented = issuer.Issue(device.Identifier, Actors.Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), serial: 42);
        trust.Verify(presented, device.Identifier, actors.Now);

        Assert.True(trust.AcceptRevocationList(issuer.IssueRevocationList(1, [7, 42, 99], TimeSpan.FromHours(1)), actors.Now));
        Assert.Equal(CredentialError.Revoked, Refused(trust, presented, device.Identifier));
    }

    [Fact]
    public async Task Attack_subject_swap_is_refused()
    {
        var (_, issuer, trust) = await AuthorityAsync();
        var device = await actors.IdentityAsync();
        var thief = await actors.IdentityAsync();
        var presented = issuer.Issue(device.Identifier, Actors.Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), 1);

        // Presented by someone else as it is...
        Assert.Equal(CredentialError.SubjectMismatch, Refused(trust, presented, thief.Identifier));

        // ...or with the subject rewritten to the thief.
        var edited = Reissue(presented, presented.Credential.Data with { Subject = thief.Identifier });
        Assert.Equal(CredentialError.BadSignature, Refused(trust, edited, thief.Identifier));
    }

    [Fact]
    public async Task Attack_attribute_edited_after_signing_is_refused()
    {
        var (_, issuer, trust) = await AuthorityAsync();
        var device = await actors.IdentityAsync();
        var presented = issuer.Issue(device.Identifier, Actors.Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), 1);
        var edited = Reissue(presented, presented.Credential.Data with { Attributes = Actors.Attributes(("ockam.role", "admin")) });
        Assert.Equal(CredentialError.BadSignature, Refused(trust, edited, device.Identifier));
    }

    [Fact]
    public async Task A_credential_signed_with_a_key_attested_for_another_purpose_is_refused()
    {
        var authority = await actors.IdentityAsync();
        var trust = actors.TrustingAuthority(authority);
        var channelKey = await actors.Identities.CreatePurposeKeyAsync(authority, Purpose.SecureChannelStatic, TimeSpan.FromDays(1));
        var device = await actors.IdentityAsync();
        var good = (await actors.IssuerAsync(authority)).Issue(device.Identifier, Actors.Attributes(("a", "b")), TimeSpan.FromHours(1), 1);
        var wrongPurpose = good with { Attestation = channelKey.Attestation };
        Assert.Equal(CredentialError.BadAttestation, Refused(trust, wrongPurpose, device.Identifier));
    }

    [Fact]
    public async Task Attack_an_older_revocation_list_cannot_replace_a_newer_one()
    {
        var (_, issuer, trust) = await AuthorityAsync();
        var device = await actors.IdentityAsync();
        var presented = issuer.Issue(device.Identifier, Actors.Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), serial: 5);
        var older = issuer.IssueRevocationList(1, [], TimeSpan.FromHours(1));
        var newer = issuer.IssueRevocationList(2, [5], TimeSpan.FromHours(1));

        trust.AcceptRevocationList(newer, actors.Now);
        Assert.Equal(CredentialError.RevocationListRollback, Assert.Throws<CredentialException>(() => trust.AcceptRevocationList(older, actors.Now)).Error);
        Assert.Equal(CredentialError.Revoked, Refused(trust, presented, device.Identifier));

        // The same list again is idempotent; a different list with the same sequence is a conflict.
        Assert.False(trust.AcceptRevocationList(RevocationList.Decode(newer.Encode()), actors.Now));
        var conflicting = issuer.IssueRevocationList(2, [], TimeSpan.FromHours(1));
        Assert.Equal(CredentialError.RevocationListConflict, Assert.Throws<CredentialException>(() => trust.AcceptRevocationList(conflicting, actors.Now)).Error);
    }

    [Fact]
    public async Task A_stale_revocation_list_fails_closed_and_a_missing_one_can_be_required()
    {
        var (_, issuer, trust) = await AuthorityAsync();
        var device = await actors.IdentityAsync();
        var presented = issuer.Issue(device.Identifier, Actors.Attributes(("ockam.role", "sensor")), TimeSpan.FromDays(2), 1);
        trust.AcceptRevocationList(issuer.IssueRevocationList(1, [], TimeSpan.FromHours(1)), actors.Now);
        Assert.Equal(CredentialError.RevocationListStale, Refused(trust, presented, device.Identifier, actors.Now + TimeSpan.FromHours(2)));

        var strict = new TrustContext(actors.Vault) { RequireRevocationList = true };
        strict.TrustAuthority(actors.Verify(issuer.Identity));
        Assert.Equal(CredentialError.RevocationListMissing, Refused(strict, presented, device.Identifier));
    }

    [Fact]
    public async Task A_revocation_list_signed_by_someone_else_is_refused()
    {
        var (authority, _, trust) = await AuthorityAsync();
        var rogue = await actors.IssuerAsync(await actors.IdentityAsync());
        var list = rogue.IssueRevocationList(1, [], TimeSpan.FromHours(1));
        Assert.Equal(CredentialError.UntrustedIssuer, Assert.Throws<CredentialException>(() => trust.AcceptRevocationList(list, actors.Now)).Error);
        Assert.Equal(CredentialError.UntrustedIssuer, Assert.Throws<CredentialException>(() => trust.AcceptRevocationList(list, actors.Now, actors.Verify(authority))).Error);
    }

    [Fact]
    public async Task A_delegate_issues_what_it_was_delegated_through_a_chain()
    {
        var (authority, issuer, trust) = await AuthorityAsync();
        var (_, delegateIssuer) = await DelegateAsync(issuer, ["ockam.role", "floor"]);
        var (_, subDelegate) = await DelegateAsync(delegateIssuer, ["floor"]);
        var device = await actors.IdentityAsync();

        var direct = delegateIssuer.Issue(device.Identifier, Actors.Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), 10);
        Assert.Equal(authority.Identifier, trust.Verify(direct, device.Identifier, actors.Now).TrustAnchor);

        var deeper = subDelegate.Issue(device.Identifier, Actors.Attributes(("floor", "3")), TimeSpan.FromHours(1), 11);
        Assert.Equal(2, deeper.Chain.Count);
        var verified = trust.Verify(CredentialPresentation.Decode(deeper.Encode()), device.Identifier, actors.Now);
        Assert.Equal("3", verified.Data.GetText("floor"));
    }

    [Fact]
    public async Task Attack_delegate_issuing_an_attribute_it_was_not_given_is_refused()
    {
        var (_, issuer, trust) = await AuthorityAsync();
        var (delegateIdentity, delegateIssuer) = await DelegateAsync(issuer, ["floor"]);
        var device = await actors.IdentityAsync();

        // The issuing API refuses...
        Assert.Equal(CredentialError.AttributeNotDelegated, Assert.Throws<CredentialException>(() => delegateIssuer.Issue(device.Identifier, Actors.Attributes(("ockam.role", "admin")), TimeSpan.FromHours(1), 1)).Error);

        // ...and a delegate that signs anyway, with its delegation chain attached, is refused by the verifier.
        var unrestricted = await actors.IssuerAsync(delegateIdentity);
        var signed = unrestricted.Issue(device.Identifier, Actors.Attributes(("ockam.role", "admin")), TimeSpan.FromHours(1), 1);
        var withChain = signed with { Chain = delegateIssuer.Issue(device.Identifier, Actors.Attributes(("floor", "1")), TimeSpan.FromHours(1), 2).Chain };
        Assert.Equal(CredentialError.AttributeNotDelegated, Refused(trust, withChain, device.Identifier));

        // Widening the delegation while sub-delegating is refused too.
        var widening = new Dictionary<string, byte[]> { [Delegation.AttributeName] = Delegation.Encode(["floor", "ockam.role"]) };
        var widened = unrestricted.Issue(device.Identifier, widening, TimeSpan.FromHours(1), 3);
        Assert.Equal(CredentialError.AttributeNotDelegated, Refused(trust, widened with { Chain = withChain.Chain }, device.Identifier));
    }

    [Fact]
    public async Task A_chain_without_a_delegation_attribute_or_too_deep_is_refused()
    {
        var (_, issuer, trust) = await AuthorityAsync();
        var device = await actors.IdentityAsync();

        // A plain credential holder is not a delegate.
        var holder = await actors.IdentityAsync();
        var plain = issuer.Issue(holder.Identifier, Actors.Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), 1);
        var holderIssuer = await actors.IssuerAsync(holder);
        var issued = holderIssuer.Issue(device.Identifier, Actors.Attributes(("ockam.role", "sensor")), TimeSpan.FromHours(1), 2);
        var chained = issued with { Chain = [new DelegationLink(holder.History, plain.Credential, plain.Attestation)] };
        Assert.Equal(CredentialError.NotADelegate, Refused(trust, chained, device.Identifier));

        // Five links exceed the bound before any signature is checked.
        var tooDeep = issued with { Chain = Enumerable.Repeat(chained.Chain[0], CborLimits.MaxDelegationDepth + 1).ToList() };
        Assert.Equal(CredentialError.DelegationTooDeep, Refused(trust, tooDeep, device.Identifier));
        Assert.Throws<OckamDecodeException>(() => CredentialPresentation.Decode(tooDeep.Encode()));
    }

    [Fact]
    public async Task Endorsements_are_credentials_from_an_endorser_limited_to_its_attributes()
    {
        var endorserIdentity = await actors.IdentityAsync();
        var endorser = await actors.IssuerAsync(endorserIdentity);
        var friend = await actors.IdentityAsync();
        var endorsement = endorser.Issue(friend.Identifier, Actors.Attributes(("trusted-peer", "yes")), TimeSpan.FromDays(1), 1);

        var stranger = new TrustContext(actors.Vault);
        Assert.Equal(CredentialError.UntrustedIssuer, Refused(stranger, endorsement, friend.Identifier));

        var trust = new TrustContext(actors.Vault);
        trust.TrustEndorser(actors.Verify(endorserIdentity), ["trusted-peer"]);
        Assert.Equal("yes", trust.Verify(endorsement, friend.Identifier, actors.Now).Data.GetText("trusted-peer"));

        var overreach = endorser.Issue(friend.Identifier, Actors.Attributes(("ockam.role", "admin")), TimeSpan.FromDays(1), 2);
        Assert.Equal(CredentialError.AttributeNotEndorsable, Refused(trust, overreach, friend.Identifier));
    }

    [Fact]
    public async Task Credentials_of_a_revoked_issuer_are_refused()
    {
        var authority = await actors.IdentityAsync();
        var issuer = await actors.IssuerAsync(authority);
        var device = await actors.IdentityAsync();
        var presented = issuer.Issue(device.Identifier, Actors.Attributes(("a", "b")), TimeSpan.FromHours(1), 1);
        var revoked = await actors.Identities.RevokeAsync(authority);
        var trust = new TrustContext(actors.Vault);
        trust.TrustAuthority(revoked.Verify(actors.Vault, actors.Now));
        Assert.Equal(CredentialError.BadAttestation, Refused(trust, presented, device.Identifier));
    }

    [Fact]
    public void A_delegation_attribute_has_one_encoding_and_no_empty_names()
    {
        Assert.Equal(new byte[] { 0x82, 0x61, (byte)'a', 0x61, (byte)'b' }, Delegation.Encode(["b", "a", "b"]));
        Assert.Equal(["a", "b"], Delegation.Decode(new byte[] { 0x82, 0x61, (byte)'a', 0x61, (byte)'b' }).Order(StringComparer.Ordinal));
        Assert.Throws<OckamDecodeException>(() => Delegation.Decode(new byte[] { 0x82, 0x61, (byte)'b', 0x61, (byte)'a' }));
        Assert.Throws<OckamDecodeException>(() => Delegation.Decode(new byte[] { 0x82, 0x61, (byte)'a', 0x61, (byte)'a' }));
        Assert.Throws<OckamDecodeException>(() => Delegation.Decode(new byte[] { 0x81, 0x60 }));
        Assert.Throws<ArgumentException>(() => Delegation.Encode([""]));
    }

    private async Task<(LocalIdentity Authority, CredentialIssuer Issuer, TrustContext Trust)> AuthorityAsync()
    {
        var authority = await actors.IdentityAsync();
        return (authority, await actors.IssuerAsync(authority), actors.TrustingAuthority(authority));
    }

    private async Task<(LocalIdentity Identity, CredentialIssuer Issuer)> DelegateAsync(CredentialIssuer parent, string[] attributes)
    {
        var identity = await actors.IdentityAsync();
        var delegation = parent.Issue(identity.Identifier, new Dictionary<string, byte[]> { [Delegation.AttributeName] = Delegation.Encode(attributes) }, TimeSpan.FromDays(1), 100);
        var key = await actors.Identities.CreatePurposeKeyAsync(identity, Purpose.CredentialSigning, TimeSpan.FromDays(1));
        return (identity, CredentialIssuer.ForDelegate(actors.Vault, identity, key, delegation, actors.Time));
    }

    /// <summary>The presentation with its data replaced but the original signature kept, as a tampering relay would send it.</summary>
    private static CredentialPresentation Reissue(CredentialPresentation presented, CredentialData data) =>
        presented with { Credential = new Credential(data.Encode(), presented.Credential.Signature.ToArray()) };

    private CredentialError Refused(TrustContext trust, CredentialPresentation presented, Identifier subject, DateTimeOffset? at = null) =>
        Assert.Throws<CredentialException>(() => trust.Verify(presented, subject, at ?? actors.Now)).Error;

    public void Dispose() => actors.Dispose();
}
