using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.SecureChannels;
using Ockam.Silo.Tests.Support;

namespace Ockam.Silo.Tests;

/// <summary>Edge nodes against a real silo over TCP: enrolment, credentials, member channels, revocation, policies.</summary>
public sealed class EdgeGatewayTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly List<Edge> disposables = [];
    private RunningSilo silo = null!;

    // The periodic catch-up also closes revoked identities' channels; kept out of the way of these tests' timing, so
    // that only the revocation feed (what they are about) closes anything.
    public async Task InitializeAsync() =>
        silo = await RunningSilo.StartAsync(data.Path, services: s => s.Configure<Ockam.Silo.Gateway.EdgeGatewayOptions>(o => o.RevocationRefresh = TimeSpan.FromHours(1)));

    public async Task DisposeAsync()
    {
        foreach (var edge in disposables)
        {
            await edge.DisposeAsync();
        }

        await silo.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task A_fresh_edge_enrols_with_a_token_and_its_credential_opens_the_member_channel_until_revoked()
    {
        await using var device = await Edge.CreateAsync(silo);
        var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
        var token = await authority.CreateOperatorTokenAsync(Role("sensor"), TimeSpan.FromHours(1), uses: 1);

        // Enrol over the "secure" listener, which accepts any proven identity.
        var (_, api) = await device.OpenAsync("secure");
        var enrolled = await api.CallAsync(new EnrollRequest(token));
        Assert.Equal(ApiStatus.Ok, enrolled.Status);
        var credential = CredentialPresentation.Decode(enrolled.Value.Credential);
        Assert.Equal(device.Identifier, credential.Credential.Data.Subject);
        Assert.Equal(ApiStatus.Ok, (await api.CallAsync(new EnrollRequest(token))).Status); // a retry by the redeemer

        // The member listener lets it in because of that credential ...
        var (_, member) = await device.OpenAsync("member", credential);
        var refreshed = await member.CallAsync(new GetCredentialRequest());
        Assert.Equal(ApiStatus.Ok, refreshed.Status);

        // ... and refuses the same identity without one.
        var refusal = NextRefusal();
        await Assert.ThrowsAsync<HandshakeException>(() => device.OpenAsync("member"));
        Assert.Equal(HandshakeError.Untrusted, await refusal);

        // An administrator (enrolled with an admin token) revokes the credential; the member listener refuses it at once.
        await using var admin = await Edge.CreateAsync(silo);
        var adminCredential = await EnrolAsync(admin, await authority.CreateOperatorTokenAsync(Role("admin"), TimeSpan.FromHours(1), uses: 1));
        var (_, adminApi) = await admin.OpenAsync("member", adminCredential);
        var revoked = await adminApi.CallAsync(new RevokeRequest(credential.Credential.Data.Serial));
        Assert.Equal(ApiStatus.Ok, revoked.Status);
        Assert.Contains(credential.Credential.Data.Serial, RevocationList.Decode(revoked.Value.RevocationList).Data.RevokedSerials);

        refusal = NextRefusal();
        await Assert.ThrowsAsync<HandshakeException>(() => device.OpenAsync("member", credential));
        Assert.Equal(HandshakeError.InvalidCredential, await refusal);
    }

    [Fact]
    public async Task Each_operation_is_authorized_by_its_policy_and_answers_with_a_typed_status()
    {
        var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
        await using var sensor = await Edge.CreateAsync(silo);
        var sensorCredential = await EnrolAsync(sensor, await authority.CreateOperatorTokenAsync(Role("sensor"), TimeSpan.FromHours(1), uses: 1));
        await using var enroller = await Edge.CreateAsync(silo);
        var enrollerCredential = await EnrolAsync(enroller, await authority.CreateOperatorTokenAsync(Enroller("ockam.role"), TimeSpan.FromHours(1), uses: 1));
        var (_, sensorApi) = await sensor.OpenAsync("member", sensorCredential);
        var (_, enrollerApi) = await enroller.OpenAsync("member", enrollerCredential);

        // Only enrollers (within their delegation) and admins make tokens; only admins revoke.
        var tokenRequest = new CreateTokenRequest(Text(("ockam.role", "sensor")), ValidForSeconds: 600);
        Assert.Equal(ApiStatus.Denied, (await sensorApi.CallAsync(tokenRequest)).Status);
        var created = await enrollerApi.CallAsync(tokenRequest);
        Assert.Equal(ApiStatus.Ok, created.Status);
        Assert.Equal(ApiStatus.Denied, (await enrollerApi.CallAsync(new RevokeRequest(Serial: 1))).Status);

        // The token an enroller made works once.
        await using var newcomer = await Edge.CreateAsync(silo);
        var (_, newcomerApi) = await newcomer.OpenAsync("secure");
        var token = created.Value.Token;
        Assert.Equal(ApiStatus.Ok, (await newcomerApi.CallAsync(new EnrollRequest(token))).Status);
        Assert.Equal(ApiStatus.TokenUnknown, (await newcomerApi.CallAsync(new EnrollRequest("nonsense"))).Status);
        Assert.Equal(ApiStatus.BadRequest, (await newcomerApi.CallAsync(ApiOperation.Enroll, ApiBody.Empty)).Status);

        // Anyone may read the authority and its revocation list; a stranger has no credential to refresh.
        await using var stranger = await Edge.CreateAsync(silo);
        var (_, strangerApi) = await stranger.OpenAsync("secure");
        Assert.Equal(ApiStatus.Ok, (await strangerApi.CallAsync(new GetAuthorityRequest())).Status);
        Assert.Equal(ApiStatus.Ok, (await strangerApi.CallAsync(new GetRevocationListRequest())).Status);
        Assert.Equal(ApiStatus.NotAMember, (await strangerApi.CallAsync(new GetCredentialRequest())).Status);
    }

    [Fact]
    public async Task An_edge_publishes_its_own_rotation_and_revocation_but_not_another_identity()
    {
        await using var device = await Edge.CreateAsync(silo);
        await using var other = await Edge.CreateAsync(silo);
        var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
        var credential = await EnrolAsync(device, await authority.CreateOperatorTokenAsync(Role("sensor"), TimeSpan.FromHours(1), uses: 1));
        var (_, api) = await device.OpenAsync("secure");

        var identities = new Ockam.Identity.Identities.IdentityManager(device.Vault, TimeProvider.System);
        var rotated = await identities.RotateAsync(device.Identity);
        Assert.Equal(ApiStatus.Ok, (await api.CallAsync(new PublishIdentityRequest(rotated.History))).Status);
        Assert.Equal(ApiStatus.Denied, (await api.CallAsync(new PublishIdentityRequest(other.Identity.History))).Status);
        Assert.Equal(ApiStatus.Rejected, (await api.CallAsync(new PublishIdentityRequest(device.Identity.History))).Status);

        // Publishing a revocation ends the membership: no more credentials for this identity.
        var revoked = await identities.RevokeAsync(rotated);
        Assert.Equal(ApiStatus.Ok, (await api.CallAsync(new PublishIdentityRequest(revoked))).Status);
        Assert.Equal(AuthorityOutcome.Revoked, (await authority.GetCredentialAsync(device.Identifier.ToString())).Outcome);
        Assert.Contains(credential.Credential.Data.Serial, RevocationList.Decode(await authority.GetRevocationListAsync()).Data.RevokedSerials);
    }

    [Fact]
    public async Task A_member_revoked_by_subject_cannot_re_enrol_with_its_old_token_until_an_admin_readmits_it()
    {
        var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
        await using var device = await Edge.CreateAsync(silo);
        var oldToken = await authority.CreateOperatorTokenAsync(Role("sensor"), TimeSpan.FromHours(1), uses: 1);
        await EnrolAsync(device, oldToken);
        var (_, adminApi) = await AdminAsync(authority);
        var (before, _) = await device.OpenAsync("secure");

        Assert.Equal(ApiStatus.Ok, (await adminApi.CallAsync(new RevokeRequest(Subject: device.Identifier.ToString()))).Status);

        // The revocation closes the channels it had open (the feed, just after the admin's answer) ...
        await before.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("revoked", before.PeerCloseReason, StringComparison.Ordinal);

        // ... and over a new one on the "secure" listener, which any identity may use: its old token, a fresh one, a refresh.
        var (_, api) = await device.OpenAsync("secure");
        var retried = await api.CallAsync(new EnrollRequest(oldToken));
        Assert.Equal(ApiStatus.Revoked, retried.Status);
        Assert.Contains("revoked", retried.Error, StringComparison.Ordinal);
        var freshToken = await authority.CreateOperatorTokenAsync(Role("sensor"), TimeSpan.FromHours(1), uses: 1);
        Assert.Equal(ApiStatus.Revoked, (await api.CallAsync(new EnrollRequest(freshToken))).Status);
        Assert.Equal(ApiStatus.Revoked, (await api.CallAsync(new GetCredentialRequest())).Status);

        // Only an admin readmits; then the identity may enrol again.
        Assert.Equal(ApiStatus.Denied, (await api.CallAsync(new ReadmitRequest(device.Identifier.ToString()))).Status);
        Assert.Equal(ApiStatus.Ok, (await adminApi.CallAsync(new ReadmitRequest(device.Identifier.ToString()))).Status);
        Assert.Equal(ApiStatus.Ok, (await api.CallAsync(new EnrollRequest(freshToken))).Status);
    }

    [Fact]
    public async Task The_holder_of_a_revoked_serial_gets_no_fresh_credential_until_an_admin_readmits_it()
    {
        var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
        await using var device = await Edge.CreateAsync(silo);
        var credential = await EnrolAsync(device, await authority.CreateOperatorTokenAsync(Role("sensor"), TimeSpan.FromHours(1), uses: 1));
        var (_, adminApi) = await AdminAsync(authority);
        var serial = credential.Credential.Data.Serial;

        Assert.Equal(ApiStatus.Ok, (await adminApi.CallAsync(new RevokeRequest(serial))).Status);

        var (_, api) = await device.OpenAsync("secure");
        var refused = await api.CallAsync(new GetCredentialRequest());
        Assert.Equal(ApiStatus.Suspended, refused.Status);
        Assert.Null(refused.Response);
        Assert.Equal(ApiStatus.BadRequest, (await adminApi.CallAsync(ApiOperation.Readmit, ApiBody.Empty)).Status);

        Assert.Equal(ApiStatus.Ok, (await adminApi.CallAsync(new ReadmitRequest(device.Identifier.ToString()))).Status);
        var readmitted = await api.CallAsync(new GetCredentialRequest());
        Assert.Equal(ApiStatus.Ok, readmitted.Status);
        var fresh = CredentialPresentation.Decode(readmitted.Value.Credential);
        Assert.True(fresh.Credential.Data.Serial > credential.Credential.Data.Serial);
        var (_, member) = await device.OpenAsync("member", fresh);
        Assert.Equal(ApiStatus.Ok, (await member.CallAsync(new GetCredentialRequest())).Status);
    }

    [Fact]
    public async Task An_enroller_grants_only_within_the_delegation_an_admin_gave_it()
    {
        var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
        var (_, adminApi) = await AdminAsync(authority);

        // The admin issues an enroller over the API: the delegation as comma-separated names.
        var enrollerToken = await adminApi.CallAsync(new CreateTokenRequest(Text(
            ("ockam.role", "enroller"),
            (Delegation.AttributeName, "ockam.role,floor"))));
        Assert.Equal(ApiStatus.Ok, enrollerToken.Status);
        await using var enroller = await Edge.CreateAsync(silo);
        var enrollerCredential = await EnrolAsync(enroller, enrollerToken.Value.Token);
        Assert.Equal(["floor", "ockam.role"], Delegation.Decode(enrollerCredential.Credential.Data.Attributes[Delegation.AttributeName]).Order(StringComparer.Ordinal));
        var (_, enrollerApi) = await enroller.OpenAsync("member", enrollerCredential);

        foreach (var (name, value) in new[] { ("ockam.role", "admin"), ("ockam.role", "enroller"), ("ockam.relay", "*"), (Delegation.AttributeName, "floor"), ("room", "ward-7") })
        {
            var escalation = await enrollerApi.CallAsync(new CreateTokenRequest(Text((name, value))));
            Assert.Equal(ApiStatus.Denied, escalation.Status);
            Assert.Contains(name, escalation.Error, StringComparison.Ordinal);
        }

        // Inside its delegation, for two devices: two enrol, a third finds the token used.
        var created = await enrollerApi.CallAsync(new CreateTokenRequest(Text(("ockam.role", "sensor"), ("floor", "3")), Uses: 2));
        Assert.Equal(ApiStatus.Ok, created.Status);
        var token = created.Value.Token;
        var statuses = new List<ApiStatus>();
        for (var i = 0; i < 3; i++)
        {
            await using var device = await Edge.CreateAsync(silo);
            var (_, api) = await device.OpenAsync("secure");
            statuses.Add((await api.CallAsync(new EnrollRequest(token))).Status);
        }

        Assert.Equal([ApiStatus.Ok, ApiStatus.Ok, ApiStatus.TokenUsed], statuses);
        Assert.Equal(ApiStatus.BadRequest, (await enrollerApi.CallAsync(ApiOperation.CreateToken, Body(b =>
        {
            b.TextMap("attributes", Text(("floor", "3")));
            b.Text("uses", "two");
        }))).Status);
        Assert.Equal(ApiStatus.BadRequest, (await enrollerApi.CallAsync(new CreateTokenRequest(Text(("floor", "3")), Uses: 0))).Status);
    }

    /// <summary>An admin enrolled with an operator token, and its API over the member listener.</summary>
    [Fact]
    public async Task Requests_are_decided_on_the_callers_standing_now_not_on_the_credential_shown_at_the_handshake()
    {
        var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
        var (admin, adminApi) = await AdminAsync(authority);
        await using var stranger = await Edge.CreateAsync(silo);
        var (_, strangerApi) = await stranger.OpenAsync("secure");

        // Without membership: enrol and read the authority and its list, nothing else.
        Assert.Equal(ApiStatus.Ok, (await strangerApi.CallAsync(new GetAuthorityRequest())).Status);
        Assert.Equal(ApiStatus.Ok, (await strangerApi.CallAsync(new GetRevocationListRequest())).Status);
        foreach (var call in new Func<Task<ApiStatus>>[]
        {
            async () => (await strangerApi.CallAsync(new GetRelayRequest("phone"))).Status,
            async () => (await strangerApi.CallAsync(new CreateRoomRequest("squat", "x"u8.ToArray(), "x"u8.ToArray(), null))).Status,
            async () => (await strangerApi.CallAsync(new CreateTopicRequest("heart-rate", "x"u8.ToArray(), "x"u8.ToArray()))).Status,
            async () => (await strangerApi.CallAsync(new GetWelcomeRequest(GroupId.Room("any")))).Status,
            async () => (await strangerApi.CallAsync(new GetRoomTreeRequest(GroupId.Room("any"), 0, 0))).Status,
            async () => (await strangerApi.CallAsync(new GetRoomRequest(GroupId.Room("any")))).Status,
            async () => (await strangerApi.CallAsync(new ListenRoomRequest(GroupId.Room("any")))).Status,
            async () => (await strangerApi.CallAsync(new GetGroupKeysRequest([admin.Identifier.ToString()]))).Status,
            async () => (await strangerApi.CallAsync(new ClaimKeyPackageRequest(admin.Identifier.ToString()))).Status,
            async () => (await strangerApi.CallAsync(new PublishKeyPackagesRequest([]))).Status,
        })
        {
            Assert.Equal(ApiStatus.Denied, await call());
        }

        // The admin is demoted on the authority's records (no revocation): its open channel and admin
        // credential no longer let it revoke.
        await using var device = await Edge.CreateAsync(silo);
        var credential = await EnrolAsync(device, await authority.CreateOperatorTokenAsync(Role("sensor"), TimeSpan.FromHours(1), uses: 1));
        Assert.Equal(AuthorityOutcome.Issued, (await authority.IssueAsync(admin.Identifier.ToString(), Role("sensor"))).Outcome);
        var serial = credential.Credential.Data.Serial;
        Assert.Equal(ApiStatus.Denied, (await adminApi.CallAsync(new RevokeRequest(serial))).Status);
        Assert.Equal(ApiStatus.Ok, (await adminApi.CallAsync(new GetAuthorityRequest())).Status);
    }

    [Fact]
    public async Task Creating_a_topic_takes_an_ockam_topic_attribute_naming_it_and_a_room_named_like_a_topic_never_takes_its_group_id()
    {
        var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
        // A member (ockam.role passes the member listener's policy) with the given attributes creates a topic.
        async Task<ApiStatus> CreateAsync(string? topic, params (string Name, string Value)[] attributes)
        {
            await using var member = await Edge.CreateAsync(silo);
            var granted = attributes.Append((Name: "ockam.role", Value: "sensor")).ToDictionary(a => a.Name, a => Encoding.UTF8.GetBytes(a.Value));
            var credential = await EnrolAsync(member, await authority.CreateOperatorTokenAsync(granted, TimeSpan.FromHours(1), uses: 1));
            var (_, api) = await member.OpenAsync("member", credential);
            var name = topic ?? "heart-rate";
            var (groupInfo, tree) = await FoundAsync(member, api, GroupId.Topic(name));
            if (topic is not null)
            {
                return (await api.CallAsync(new CreateTopicRequest(topic, groupInfo, tree, "true", "true"))).Status;
            }

            // Through the room argument, which create-topic does not take.
            return (await api.CallAsync(ApiOperation.CreateTopic, Body(b =>
            {
                b.Text("room", name);
                b.Bytes("group-info", groupInfo);
                b.Bytes("ratchet-tree", tree);
                b.Text("subscribe-policy", "true");
                b.Text("publish-policy", "true");
            }))).Status;
        }

        // Squatting the fleet's topic: without the attribute, with another topic's, or through the room argument.
        Assert.Equal(ApiStatus.Denied, await CreateAsync("heart-rate"));
        Assert.Equal(ApiStatus.Denied, await CreateAsync("heart-rate", ("ockam.topic", "blood-pressure")));
        Assert.NotEqual(ApiStatus.Ok, await CreateAsync(null, ("ockam.topic", "blood-pressure")));
        Assert.False((await silo.Grains.GetDeliveryService(GroupId.Topic("heart-rate")).GetInfoAsync()).Exists);

        // The attribute naming the topic, or "*" (which only an admin grants), lets a member create it.
        Assert.Equal(ApiStatus.Ok, await CreateAsync("blood-pressure", ("ockam.topic", "blood-pressure")));
        Assert.Equal(ApiStatus.Ok, await CreateAsync("heart-rate", ("ockam.topic", "*")));

        // A room named "topic:heart-rate" is room:topic:heart-rate: a group bound to the topic's MLS group id (whose
        // messages a member of the topic could replay, and whose deliveries would land in the topic's state) does not fit it.
        await using var roomer = await Edge.CreateAsync(silo);
        var (_, roomApi) = await roomer.OpenAsync("member", await EnrolAsync(roomer, await authority.CreateOperatorTokenAsync(Role("sensor"), TimeSpan.FromHours(1), uses: 1)));
        var (topicInfo, topicTree) = await FoundAsync(roomer, roomApi, GroupId.Topic("heart-rate"));
        Assert.Equal(ApiStatus.BadRequest, (await roomApi.CallAsync(new CreateRoomRequest("topic:heart-rate", topicInfo, topicTree, null))).Status);
        Assert.False((await silo.Grains.GetDeliveryService(GroupId.Room("topic:heart-rate")).GetInfoAsync()).Exists);
        var named = GroupId.Room("topic:heart-rate");
        Assert.NotEqual(GroupId.Topic("heart-rate").Value, named.Value);
        var (roomInfo, roomTree) = await FoundAsync(roomer, roomApi, named);
        Assert.Equal(ApiStatus.Ok, (await roomApi.CallAsync(new CreateRoomRequest(named.Name, roomInfo, roomTree, null))).Status);
        var topicState = await silo.Grains.GetDeliveryService(GroupId.Topic("heart-rate")).GetInfoAsync();
        Assert.Equal(0UL, topicState.Epoch);
        Assert.DoesNotContain(roomer.Identifier.ToString(), topicState.Members);
    }

    [Fact]
    public async Task A_member_claims_another_members_key_packages_one_at_a_time_and_publishes_only_its_own()
    {
        var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
        await using var alice = await Edge.CreateAsync(silo);
        var (_, aliceApi) = await alice.OpenAsync("member", await EnrolAsync(alice, await authority.CreateOperatorTokenAsync(Role("sensor"), TimeSpan.FromHours(1), uses: 1)));
        await using var bob = await Edge.CreateAsync(silo);
        var (_, bobApi) = await bob.OpenAsync("member", await EnrolAsync(bob, await authority.CreateOperatorTokenAsync(Role("sensor"), TimeSpan.FromHours(1), uses: 1)));

        var identities = new IdentityManager(alice.Vault, TimeProvider.System);
        var agreement = await identities.CreatePurposeKeyAsync(alice.Identity, Purpose.GroupKeyAgreement, TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
        var signing = await identities.CreatePurposeKeyAsync(alice.Identity, Purpose.GroupSigning, TimeSpan.FromDays(30), KeyPersistence.Ephemeral);
        Assert.Equal(ApiStatus.Ok, (await aliceApi.CallAsync(new PublishGroupKeysRequest(agreement.Attestation.Encode(), signing.Attestation.Encode()))).Status);
        var packages = new List<ReadOnlyMemory<byte>>();
        for (var i = 0; i < 2; i++)
        {
            packages.Add((await OckamKeyPackages.CreateAsync(alice.Vault, signing, TimeProvider.System, [], KeyPersistence.Ephemeral)).KeyPackage.Encode());
        }

        Assert.Equal(2, (await aliceApi.CallAsync(new PublishKeyPackagesRequest(packages))).Value.Held);

        // Bob claims one and checks it as an inviter does: Alice's history and attestation vouch for its signature key.
        var claim = (await bobApi.CallAsync(new ClaimKeyPackageRequest(alice.Identifier.ToString()))).Value;
        Assert.Equal(packages[0].ToArray(), claim.KeyPackage.ToArray());
        var keyPackage = KeyPackage.Decode(claim.KeyPackage.Span);
        KeyPackageValidation.Validate(bob.Vault, OckamKeyPackages.Suite, keyPackage, DateTimeOffset.UtcNow);
        var directory = new MlsMemberDirectory(new KnownIdentities(bob.Vault), bob.Vault);
        directory.Add(ChangeHistory.Decode(claim.History.ToArray()), PurposeKeyAttestation.Decode(claim.Signing), DateTimeOffset.UtcNow);
        Assert.True(new OckamCredentialAuthentication(directory, TimeProvider.System).Accepts(keyPackage.LeafNode));

        // Publishing goes to the caller's own identity: Bob cannot put Alice's package (nor any of hers) back, or on himself.
        var republished = await bobApi.CallAsync(new PublishKeyPackagesRequest([claim.KeyPackage]));
        Assert.Equal(ApiStatus.Rejected, republished.Status);
        Assert.Equal(1, (await aliceApi.CallAsync(new PublishKeyPackagesRequest([]))).Value.Held);

        // The second claim gets the other package; after the last, a refusal that says how the subject gets more.
        Assert.Equal(packages[1].ToArray(), (await bobApi.CallAsync(new ClaimKeyPackageRequest(alice.Identifier.ToString()))).Value.KeyPackage.ToArray());
        var none = await bobApi.CallAsync(new ClaimKeyPackageRequest(alice.Identifier.ToString()));
        Assert.Equal(ApiStatus.NotAMember, none.Status);
        Assert.Contains("publishes them when it enrols or connects", none.Error);
        Assert.Equal(ApiStatus.BadRequest, (await bobApi.CallAsync(new ClaimKeyPackageRequest("alice"))).Status);
    }

    /// <summary>
    /// The GroupInfo and ratchet tree of a new MLS group <paramref name="group"/> founded by <paramref name="creator"/>,
    /// whose GroupSigning key it first publishes over <paramref name="api"/> (the Delivery Service checks the founder's leaf against it).
    /// </summary>
    private static async Task<(byte[] GroupInfo, byte[] Tree)> FoundAsync(Edge creator, ApiClient api, GroupId group)
    {
        var identities = new Ockam.Identity.Identities.IdentityManager(creator.Vault, TimeProvider.System);
        var agreement = await identities.CreatePurposeKeyAsync(creator.Identity, Ockam.Identity.Identities.Purpose.GroupKeyAgreement, TimeSpan.FromDays(1), Ockam.Identity.Vault.KeyPersistence.Ephemeral);
        var signing = await identities.CreatePurposeKeyAsync(creator.Identity, Ockam.Identity.Identities.Purpose.GroupSigning, TimeSpan.FromDays(1), Ockam.Identity.Vault.KeyPersistence.Ephemeral);
        Assert.Equal(ApiStatus.Ok, (await api.CallAsync(new PublishGroupKeysRequest(agreement.Attestation.Encode(), signing.Attestation.Encode()))).Status);
        var own = await Ockam.Identity.Mls.OckamKeyPackages.CreateAsync(creator.Vault, signing, TimeProvider.System, [(ushort)Ockam.Identity.Mls.GroupRoles.Type], Ockam.Identity.Vault.KeyPersistence.Ephemeral);
        var services = new Ockam.Identity.Mls.MlsGroupServices(creator.Vault, AcceptingAuthentication.Instance);
        using var founded = await Ockam.Identity.Mls.MlsGroup.CreateAsync(
            services, Encoding.UTF8.GetBytes(group.Value), own, signing.Key, [Ockam.Identity.Mls.GroupRoles.Of([creator.Identifier]).ToExtension()]);
        return (Ockam.Identity.Mls.MlsMessage.Of(founded.GroupInfo(withRatchetTree: false)).Encode(), founded.ExportRatchetTree().Encode());
    }

    private async Task<(Edge Admin, ApiClient Api)> AdminAsync(IAuthorityGrain authority)
    {
        var admin = await Edge.CreateAsync(silo);
        disposables.Add(admin);
        var credential = await EnrolAsync(admin, await authority.CreateOperatorTokenAsync(Role("admin"), TimeSpan.FromHours(1), uses: 1));
        var (_, api) = await admin.OpenAsync("member", credential);
        return (admin, api);
    }

    private static async Task<CredentialPresentation> EnrolAsync(Edge edge, string token)
    {
        var (_, api) = await edge.OpenAsync("secure");
        var response = await api.CallAsync(new EnrollRequest(token));
        Assert.Equal(ApiStatus.Ok, response.Status);
        return CredentialPresentation.Decode(response.Value.Credential);
    }

    private Task<HandshakeError> NextRefusal()
    {
        var refused = new TaskCompletionSource<HandshakeError>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? sender, HandshakeFailedEventArgs e)
        {
            silo.Gateway.HandshakeFailed -= Handler;
            refused.TrySetResult(e.Error);
        }

        silo.Gateway.HandshakeFailed += Handler;
        return refused.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static Dictionary<string, byte[]> Role(string role) => new() { ["ockam.role"] = Encoding.UTF8.GetBytes(role) };

    /// <summary>An enroller's attributes: it may grant <paramref name="delegated"/>.</summary>
    private static Dictionary<string, byte[]> Enroller(params string[] delegated) =>
        new() { ["ockam.role"] = "enroller"u8.ToArray(), [Delegation.AttributeName] = Delegation.Encode(delegated) };

    private static Dictionary<string, string> Text(params (string Name, string Value)[] attributes) =>
        attributes.ToDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal);

    /// <summary>A body no request record would write (a field of the wrong type, or one the operation does not take).</summary>
    private static byte[] Body(Action<ApiBodyWriter> write)
    {
        var body = new ApiBodyWriter();
        write(body);
        return body.Encode();
    }
}
