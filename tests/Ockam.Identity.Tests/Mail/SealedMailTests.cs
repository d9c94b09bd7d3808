using System.Formats.Cbor;
using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Mail;
using Ockam.Identity.Policies;
using Text = System.Text;

namespace Ockam.Identity.Tests.Mail;

/// <summary>Sealed mail: the codec's bounds, and each check a recipient makes, attacked one at a time.</summary>
public sealed class SealedMailTests : IDisposable
{
    private const string Relay = "phone";
    private static readonly Policy AnyMember = Policy.Parse("(exists? subject.ockam.role)");
    private readonly Actors actors = new();
    private readonly DirectoryInfo home = Directory.CreateTempSubdirectory("ockam-mail-");

    public void Dispose()
    {
        actors.Dispose();
        home.Delete(recursive: true);
    }

    [Fact]
    public async Task A_sealed_message_round_trips_and_opens_for_its_recipient_with_its_sender_proven()
    {
        var (issuer, trust) = await AuthorityAsync();
        var alice = await PartyAsync(issuer, 1);
        var bob = await PartyAsync(issuer, 2);

        var mail = await SealAsync(alice, bob, Relay, 7, "bpm=72");
        var decoded = SealedMail.Decode(mail.Encode());
        Assert.Equal(mail.Encode(), decoded.Encode());
        Assert.DoesNotContain("bpm=72", Text.Encoding.UTF8.GetString(decoded.Encode()), StringComparison.Ordinal);

        var opened = await OpenerFor(bob, trust).OpenAsync(decoded, actors.Now);
        Assert.Equal("bpm=72", Text.Encoding.UTF8.GetString(opened.Plaintext));
        Assert.Equal(alice.Identity.Identifier, opened.Sender.Identifier);
        Assert.Equal((Relay, 7UL), (opened.Relay, opened.Counter));
        Assert.Equal("member", Assert.Single(opened.Credentials).Data.GetText("ockam.role"));
    }

    [Fact]
    public async Task Attack_a_message_sealed_to_another_recipient_is_refused()
    {
        var (issuer, trust) = await AuthorityAsync();
        var alice = await PartyAsync(issuer, 1);
        var bob = await PartyAsync(issuer, 2);
        var eve = await PartyAsync(issuer, 3);
        var mail = await SealAsync(alice, bob, Relay, 1, "for bob");

        Assert.Equal(SealedMailError.WrongRecipient, await RefusedAsync(OpenerFor(eve, trust), mail));

        // Readdressed to Eve (her identifier and key) it still does not open: the seal binds Bob and Bob's key.
        var readdressed = With(mail, recipient: eve.Identity.Identifier, recipientKey: eve.Agreement.Attestation.PublicKey.ToArray());
        Assert.Equal(SealedMailError.NotAuthentic, await RefusedAsync(OpenerFor(eve, trust), readdressed));
        Assert.Equal(SealedMailError.UnknownRecipientKey, await RefusedAsync(OpenerFor(eve, trust), With(mail, recipient: eve.Identity.Identifier)));
    }

    [Fact]
    public async Task Attack_a_tampered_relay_or_counter_is_refused()
    {
        var (issuer, trust) = await AuthorityAsync();
        var alice = await PartyAsync(issuer, 1);
        var bob = await PartyAsync(issuer, 2);
        var mail = await SealAsync(alice, bob, Relay, 5, "bpm=80");
        var bothRelays = OpenerFor(bob, trust, Relay, "tablet");

        Assert.Equal(SealedMailError.NotAuthentic, await RefusedAsync(bothRelays, With(mail, relay: "tablet")));
        Assert.Equal(SealedMailError.NotAuthentic, await RefusedAsync(bothRelays, With(mail, counter: 6)));
        Assert.Equal(SealedMailError.WrongRelay, await RefusedAsync(OpenerFor(bob, trust, "tablet"), mail));
        Assert.Equal("bpm=80", Text.Encoding.UTF8.GetString((await bothRelays.OpenAsync(mail, actors.Now)).Plaintext));
    }

    [Fact]
    public async Task Attack_a_message_its_claimed_sender_did_not_seal_is_refused()
    {
        var (issuer, trust) = await AuthorityAsync();
        var alice = await PartyAsync(issuer, 1);
        var bob = await PartyAsync(issuer, 2);
        var mallory = await PartyAsync(issuer, 3);
        var forged = await SealAsync(mallory, bob, Relay, 1, "from alice, honest");

        // Mallory presents Alice's public history, attestation and credential around a seal made as Alice's (bound to
        // Alice's identifier and key): in auth mode from her own key, and in base mode from no key at all.
        var bobKey = bob.Agreement.Attestation.PublicKey.ToArray();
        var asAlice = SealedMail.Bind(alice.Identity.Identifier, alice.Agreement.Attestation.PublicKey, bob.Identity.Identifier, bobKey, Relay, 1);
        foreach (var senderKey in new Ockam.Identity.Vault.KeyHandle?[] { mallory.Agreement.Key, null })
        {
            var (enc, ciphertext) = await Ockam.Identity.Hpke.Hpke.SealAsync(actors.Vault, MailSealer.Suite, bobKey, SealedMail.Info.ToArray(), asAlice, "from alice, honest"u8.ToArray(), senderKey);
            var claimed = new SealedMail(alice.Identity.History.Encode(), alice.Agreement.Attestation.Encode(), [alice.Credential.Encode()], bob.Identity.Identifier, bobKey, Relay, 1, enc, ciphertext);
            Assert.Equal(SealedMailError.NotAuthentic, await RefusedAsync(OpenerFor(bob, trust), claimed));
        }

        // Her own history with Alice's key: the attestation is not hers.
        Assert.Equal(SealedMailError.InvalidSender, await RefusedAsync(OpenerFor(bob, trust), With(forged, senderAttestation: alice.Agreement.Attestation.Encode())));

        // Alice's credential around Mallory's identity: not about its subject.
        Assert.Equal(SealedMailError.InvalidCredential, await RefusedAsync(OpenerFor(bob, trust), With(forged, senderCredentials: [alice.Credential.Encode()])));
    }

    [Fact]
    public async Task Attack_a_revoked_or_unknown_sender_is_refused()
    {
        var (issuer, trust) = await AuthorityAsync();
        var alice = await PartyAsync(issuer, 1);
        var bob = await PartyAsync(issuer, 2);
        var mail = await SealAsync(alice, bob, Relay, 1, "bpm=90");

        // A stranger: credentials from an authority Bob does not trust satisfy no policy.
        var rogue = await actors.IssuerAsync(await actors.IdentityAsync());
        var stranger = await PartyAsync(rogue, 1);
        Assert.Equal(SealedMailError.Untrusted, await RefusedAsync(OpenerFor(bob, trust), await SealAsync(stranger, bob, Relay, 1, "hello")));

        // Alice's credential is revoked by the authority.
        Assert.True(trust.AcceptRevocationList(issuer.IssueRevocationList(1, [1], TimeSpan.FromHours(1)), actors.Now));
        Assert.Equal(SealedMailError.InvalidCredential, await RefusedAsync(OpenerFor(bob, trust), mail));

        // Carol revoked her identity: what she sealed before is refused.
        var carol = await PartyAsync(issuer, 3);
        var early = await SealAsync(carol, bob, Relay, 1, "before");
        var revoked = await actors.Identities.RevokeAsync(carol.Identity);
        Assert.Equal(SealedMailError.InvalidSender, await RefusedAsync(OpenerFor(bob, trust), With(early, senderHistory: revoked.Encode())));
    }

    [Fact]
    public async Task Attack_a_sender_history_older_than_the_one_known_is_refused()
    {
        var (issuer, trust) = await AuthorityAsync();
        var alice = await PartyAsync(issuer, 1);
        var bob = await PartyAsync(issuer, 2);
        var old = await SealAsync(alice, bob, Relay, 1, "old key");
        var rotated = await actors.Identities.RotateAsync(alice.Identity);
        var known = new KnownIdentities(actors.Vault);
        known.Accept(rotated.History, actors.Now);

        Assert.Equal(SealedMailError.StaleSender, await RefusedAsync(OpenerFor(bob, trust, known), old));
    }

    [Fact]
    public async Task Attack_a_replayed_message_is_refused_also_by_the_next_process()
    {
        var (issuer, trust) = await AuthorityAsync();
        var alice = await PartyAsync(issuer, 1);
        var path = Path.Combine(home.FullName, "mail-seen.cbor");
        using (var seen = MailReplayGuard.Open(path))
        {
            await seen.AcceptAsync(alice.Identity.Identifier, 10);
            Assert.Equal(SealedMailError.Replayed, (await Assert.ThrowsAsync<SealedMailException>(() => seen.AcceptAsync(alice.Identity.Identifier, 10))).Error);
        }

        using var next = MailReplayGuard.Open(path);
        Assert.Equal(SealedMailError.Replayed, (await Assert.ThrowsAsync<SealedMailException>(() => next.AcceptAsync(alice.Identity.Identifier, 10))).Error);

        // Later counters pass; a late one within the window passes once; one older than the window never.
        await next.AcceptAsync(alice.Identity.Identifier, 12);
        await next.AcceptAsync(alice.Identity.Identifier, 11);
        Assert.Equal(SealedMailError.Replayed, (await Assert.ThrowsAsync<SealedMailException>(() => next.AcceptAsync(alice.Identity.Identifier, 11))).Error);
        await next.AcceptAsync(alice.Identity.Identifier, 12 + MailReplayGuard.Window);
        Assert.Equal(SealedMailError.Replayed, (await Assert.ThrowsAsync<SealedMailException>(() => next.AcceptAsync(alice.Identity.Identifier, 9))).Error);

        // Counters are per sender.
        var bob = await PartyAsync(issuer, 2);
        await next.AcceptAsync(bob.Identity.Identifier, 10);
    }

    [Fact]
    public async Task Malformed_truncated_and_oversized_input_is_refused_with_a_typed_error()
    {
        var (issuer, _) = await AuthorityAsync();
        var alice = await PartyAsync(issuer, 1);
        var bob = await PartyAsync(issuer, 2);
        var encoded = (await SealAsync(alice, bob, Relay, 1, "bpm=60")).Encode();

        for (var length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<OckamDecodeException>(() => SealedMail.Decode(encoded.AsMemory(0, length)));
        }

        Assert.Throws<OckamDecodeException>(() => SealedMail.Decode(new byte[SealedMail.MaxSize + 1]));
        Assert.Throws<OckamDecodeException>(() => SealedMail.Decode(Rewrite(encoded, counter: 0)));
        Assert.Throws<OckamDecodeException>(() => SealedMail.Decode(Rewrite(encoded, version: 2)));
        Assert.Throws<OckamDecodeException>(() => SealedMail.Decode(Rewrite(encoded, relay: "")));
        Assert.Throws<OckamDecodeException>(() => SealedMail.Decode(Rewrite(encoded, credentials: SealedMail.MaxCredentials + 1)));
        Assert.Throws<OckamDecodeException>(() => SealedMail.Decode(Rewrite(encoded, plaintextLength: SealedMail.MaxPlaintextSize + 17)));

        var guardPath = Path.Combine(home.FullName, "mail-seen.cbor");
        await File.WriteAllBytesAsync(guardPath, encoded);
        Assert.Throws<OckamDecodeException>(() => MailReplayGuard.Open(guardPath));
        var counterPath = Path.Combine(home.FullName, "mail-counter.cbor");
        await File.WriteAllBytesAsync(counterPath, [0xa2, 0x00]);
        Assert.Throws<OckamDecodeException>(() => MailCounter.Open(counterPath, actors.Time));
    }

    [Fact]
    public async Task A_sender_counter_increases_outlives_its_process_and_never_falls_behind_the_clock()
    {
        var path = Path.Combine(home.FullName, "mail-counter.cbor");
        ulong first, second;
        using (var counter = MailCounter.Open(path, actors.Time))
        {
            first = await counter.NextAsync();
            second = await counter.NextAsync();
            Assert.Equal(first + 1, second);
        }

        // A new process starts past everything the old one reserved, and so past everything it used.
        ulong third;
        using (var again = MailCounter.Open(path, actors.Time))
        {
            third = await again.NextAsync();
            Assert.True(third > second);
        }

        // The file lost, a clock past the last reservation (at most a second ahead of it) still moves past everything used.
        File.Delete(path);
        actors.Time.Advance(TimeSpan.FromSeconds(2));
        using var lost = MailCounter.Open(path, actors.Time);
        Assert.True(await lost.NextAsync() > third);
    }

    /// <summary>One write reserves a second of counters: a busy sender does not write its home once per message.</summary>
    [Fact]
    public async Task A_sender_counter_writes_its_file_once_per_reservation_and_before_using_a_counter_past_it()
    {
        var path = Path.Combine(home.FullName, "mail-counter.cbor");
        using var counter = MailCounter.Open(path, actors.Time);
        var first = await counter.NextAsync();
        var reservation = await File.ReadAllBytesAsync(path);

        for (var i = 0; i < 100; i++)
        {
            actors.Time.Advance(TimeSpan.FromMilliseconds(5));
            await counter.NextAsync();
        }

        Assert.Equal(reservation, await File.ReadAllBytesAsync(path));

        // Past the reservation (the clock a second on), the file moves first: a process started now begins past it.
        actors.Time.Advance(TimeSpan.FromSeconds(1));
        var later = await counter.NextAsync();
        Assert.NotEqual(reservation, await File.ReadAllBytesAsync(path));
        using var next = MailCounter.Open(path, actors.Time);
        Assert.True(await next.NextAsync() > later);
        Assert.True(later > first);
    }

    private sealed record Party(LocalIdentity Identity, PurposeKey Agreement, CredentialPresentation Credential);

    private async Task<(CredentialIssuer Issuer, TrustContext Trust)> AuthorityAsync()
    {
        var authority = await actors.IdentityAsync();
        return (await actors.IssuerAsync(authority), actors.TrustingAuthority(authority));
    }

    private async Task<Party> PartyAsync(CredentialIssuer issuer, ulong serial)
    {
        var identity = await actors.IdentityAsync();
        var agreement = await actors.Identities.CreatePurposeKeyAsync(identity, Purpose.GroupKeyAgreement, TimeSpan.FromDays(30));
        return new Party(identity, agreement, issuer.Issue(identity.Identifier, Actors.Attributes(("ockam.role", "member")), TimeSpan.FromHours(8), serial));
    }

    private Task<SealedMail> SealAsync(Party from, Party to, string relay, ulong counter, string text) =>
        MailSealer.SealAsync(
            actors.Vault,
            from.Identity,
            from.Agreement,
            [from.Credential],
            to.Agreement.Attestation.Verify(actors.Verify(to.Identity), Purpose.GroupKeyAgreement, actors.Vault, actors.Now),
            relay,
            counter,
            Text.Encoding.UTF8.GetBytes(text));

    private MailOpener OpenerFor(Party recipient, TrustContext trust, params string[] relays) =>
        OpenerFor(recipient, trust, new KnownIdentities(actors.Vault), relays);

    private MailOpener OpenerFor(Party recipient, TrustContext trust, KnownIdentities known, params string[] relays)
    {
        string[] through = relays.Length == 0 ? [Relay] : relays;
        return new MailOpener(actors.Vault, recipient.Identity, recipient.Agreement, known, trust, AnyMember, through.Contains);
    }

    private async Task<SealedMailError> RefusedAsync(MailOpener opener, SealedMail mail) =>
        (await Assert.ThrowsAsync<SealedMailException>(() => opener.OpenAsync(SealedMail.Decode(mail.Encode()), actors.Now))).Error;

    private static SealedMail With(
        SealedMail mail,
        byte[]? senderHistory = null,
        byte[]? senderAttestation = null,
        IReadOnlyList<byte[]>? senderCredentials = null,
        Identifier? recipient = null,
        byte[]? recipientKey = null,
        string? relay = null,
        ulong? counter = null) =>
        new(
            senderHistory ?? mail.SenderHistory,
            senderAttestation ?? mail.SenderAttestation,
            senderCredentials ?? mail.SenderCredentials,
            recipient ?? mail.Recipient,
            recipientKey ?? mail.RecipientKey,
            relay ?? mail.Relay,
            counter ?? mail.Counter,
            mail.Enc,
            mail.Ciphertext);

    /// <summary>The encoding of <paramref name="encoded"/> with one field out of bounds, written as a sender could (canonical CBOR, every other field kept).</summary>
    private static byte[] Rewrite(byte[] encoded, uint version = SealedMail.Version, ulong? counter = null, string? relay = null, int? credentials = null, int? plaintextLength = null)
    {
        var mail = SealedMail.Decode(encoded);
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteStartMap(10);
        w.WriteUInt32(0);
        w.WriteUInt32(version);
        w.WriteUInt32(1);
        w.WriteByteString(mail.SenderHistory);
        w.WriteUInt32(2);
        w.WriteByteString(mail.SenderAttestation);
        w.WriteUInt32(3);
        var credentialCount = credentials ?? mail.SenderCredentials.Count;
        w.WriteStartArray(credentialCount);
        for (var i = 0; i < credentialCount; i++)
        {
            w.WriteByteString(credentials is null ? mail.SenderCredentials[i] : [1, 2, 3]);
        }

        w.WriteEndArray();
        w.WriteUInt32(4);
        w.WriteByteString(mail.Recipient.ToBytes());
        w.WriteUInt32(5);
        w.WriteByteString(mail.RecipientKey);
        w.WriteUInt32(6);
        w.WriteTextString(relay ?? mail.Relay);
        w.WriteUInt32(7);
        w.WriteUInt64(counter ?? mail.Counter);
        w.WriteUInt32(8);
        w.WriteByteString(mail.Enc);
        w.WriteUInt32(9);
        w.WriteByteString(plaintextLength is { } length ? new byte[length] : mail.Ciphertext);
        w.WriteEndMap();
        return w.Encode();
    }
}
