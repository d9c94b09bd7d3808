using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Transports;
using Ockam.Silo.Configuration;
using Ockam.Silo.Gateway;
using Ockam.Silo.Tests.Support;
using Orleans.Runtime;

namespace Ockam.Silo.Tests.Attacks;

/// <summary>
/// Revocation holds at once, cluster-wide: a channel opened under a credential or membership that was then
/// revoked is closed on every silo within seconds, and its peer is told why. Fails if the feed is removed.
/// </summary>
public sealed class RevocationTests : IDisposable
{
    private readonly TempDirectory data = new();

    [Fact]
    public async Task An_admins_revoke_on_silo_1_closes_the_members_channels_on_silo_2_within_seconds()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var first = await RunningSilo.StartAsync(data.Path, StorageKind.PostgreSql, database.ConnectionString, ClusteringKind.AdoNet);
        await using var second = await RunningSilo.StartAsync(data.Path, StorageKind.PostgreSql, database.ConnectionString, ClusteringKind.AdoNet);

        // Each silo sees the other active (the management grain answers from wherever it lives, so from one side only): a
        // notice sent to a gateway whose silo its sender does not yet know fails, and waits for the minute's refresh.
        await Eventually.TrueAsync(() => SeesBoth(first) && SeesBoth(second), TimeSpan.FromSeconds(60));

        await using var admin = await Edge.CreateAsync(first);
        var (_, adminApi) = await admin.OpenAsync("member", await EnrolAsync(admin, "admin"));

        // Two members hold channels on silo 2: one loses a credential (by serial), the other its membership (by subject).
        await using var bySerial = await Edge.CreateAsync(second);
        var serialCredential = await EnrolAsync(bySerial, "sensor");
        var (serialChannel, _) = await bySerial.OpenAsync("member", serialCredential);
        await using var bySubject = await Edge.CreateAsync(second);
        var (subjectChannel, _) = await bySubject.OpenAsync("member", await EnrolAsync(bySubject, "sensor"));

        var clock = Stopwatch.StartNew();
        Assert.Equal(ApiStatus.Ok, (await adminApi.CallAsync(new RevokeRequest(serialCredential.Credential.Data.Serial))).Status);
        await serialChannel.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        var serialClosed = clock.Elapsed;

        clock.Restart();
        Assert.Equal(ApiStatus.Ok, (await adminApi.CallAsync(new RevokeRequest(Subject: bySubject.Identifier.ToString()))).Status);
        await subjectChannel.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        var subjectClosed = clock.Elapsed;

        Assert.StartsWith("revoked", serialChannel.PeerCloseReason, StringComparison.Ordinal);
        Assert.StartsWith("revoked", subjectChannel.PeerCloseReason, StringComparison.Ordinal);
        Console.WriteLine($"revoke on silo 1 → member channel on silo 2 closed: by serial {serialClosed.TotalMilliseconds:F0} ms, by subject {subjectClosed.TotalMilliseconds:F0} ms");

        // The admin's own channel on silo 1 is untouched.
        Assert.Equal(ApiStatus.Ok, (await adminApi.CallAsync(new GetAuthorityRequest())).Status);
    }

    /// <summary>
    /// A member about to be revoked stops reading (its connection's writes held, its channel's send side full), so the
    /// gateway cannot send it the close message that says why. That must not hold the gateway's revocations: its
    /// channel goes without the reason, after a short patience, and a second member revoked next is closed at once.
    /// Checked: fails when the gateway closes revoked channels one after another (the second is never reached), and
    /// when a close waits for its message without a bound (the non-reader's channel stays open).
    /// </summary>
    [Fact]
    public async Task A_revoked_member_that_stops_reading_does_not_hold_the_gateways_revocations()
    {
        var streams = new StallingStreams();
        await using var silo = await RunningSilo.StartAsync(data.Path, services: s => s.Configure<EdgeGatewayOptions>(o =>
        {
            o.MailboxCapacity = 4;
            o.Transport = new TransportOptions { WrapStream = streams.Wrap };
        }));

        // The first connection the gateway accepts is the non-reader's.
        await using var nonReader = await Edge.CreateAsync(silo);
        var (_, stalledApi) = await nonReader.OpenAsync("member", TimeSpan.FromSeconds(60), await EnrolAsync(nonReader, "sensor"));
        await using var other = await Edge.CreateAsync(silo);
        var (otherChannel, _) = await other.OpenAsync("member", await EnrolAsync(other, "sensor"));
        await using var admin = await Edge.CreateAsync(silo);
        var (_, adminApi) = await admin.OpenAsync("member", await EnrolAsync(admin, "admin"));

        // Its answers back up into its channel's send side.
        streams.Stall(0);
        var unanswered = Enumerable.Range(0, 40).Select(_ => stalledApi.CallAsync(new GetAuthorityRequest())).ToList();
        await streams.WriteHeld.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ApiStatus.Ok, (await adminApi.CallAsync(new RevokeRequest(Subject: nonReader.Identifier.ToString()))).Status);
        Assert.Equal(ApiStatus.Ok, (await adminApi.CallAsync(new RevokeRequest(Subject: other.Identifier.ToString()))).Status);
        await otherChannel.Closed.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.StartsWith("revoked", otherChannel.PeerCloseReason, StringComparison.Ordinal);

        // The non-reader's channel is gone too, without its reason: only the admin's stays open.
        await Eventually.TrueAsync(() => silo.Gateway.Channels!.Count == 1, TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(unanswered, t => t.IsCompletedSuccessfully);
    }

    private static Task<CredentialPresentation> EnrolAsync(Edge edge, string role) => edge.EnrolAsync(Actors.Attributes(("ockam.role", role)));

    public void Dispose() => data.Dispose();

    private static bool SeesBoth(RunningSilo silo) =>
        silo.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) >= 2;
}
