using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.SecureChannels;
using Ockam.Silo.Configuration;
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
        await Eventually.TrueAsync(async () => (await second.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count >= 2, TimeSpan.FromSeconds(60));

        await using var admin = await Edge.CreateAsync(first);
        var (_, adminApi) = await admin.OpenAsync("member", await EnrolAsync(first, admin, "admin"));

        // Two members hold channels on silo 2: one loses a credential (by serial), the other its membership (by subject).
        await using var bySerial = await Edge.CreateAsync(second);
        var serialCredential = await EnrolAsync(second, bySerial, "sensor");
        var (serialChannel, _) = await bySerial.OpenAsync("member", serialCredential);
        await using var bySubject = await Edge.CreateAsync(second);
        var (subjectChannel, _) = await bySubject.OpenAsync("member", await EnrolAsync(second, bySubject, "sensor"));

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

    private static async Task<CredentialPresentation> EnrolAsync(RunningSilo silo, Edge edge, string role)
    {
        var token = await silo.Grains.GetGrain<IAuthorityGrain>("default").CreateOperatorTokenAsync(new Dictionary<string, byte[]> { ["ockam.role"] = Encoding.UTF8.GetBytes(role) }, TimeSpan.FromHours(1), uses: 1);
        var (channel, api) = await edge.OpenAsync("secure");
        var enrolled = await api.CallAsync(new EnrollRequest(token));
        Assert.Equal(ApiStatus.Ok, enrolled.Status);
        await channel.CloseAsync();
        return CredentialPresentation.Decode(enrolled.Value.Credential);
    }

    public void Dispose() => data.Dispose();
}
