using System.Text;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Silo.Configuration;
using Ockam.Silo.Tests.Support;

namespace Ockam.Silo.Tests;

/// <summary>Stop the silo, start a new one on the same store: nothing written is lost.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly SoftwareVault vault = new();
    private readonly TempDirectory data = new();

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Revocations_used_tokens_identity_histories_and_serials_survive_a_restart(StorageKind storage)
    {
        await using var database = storage == StorageKind.PostgreSql ? await PostgresDatabase.CreateAsync() : null;
        var identities = new IdentityManager(vault, TimeProvider.System);
        var device = await identities.CreateAsync();
        var other = await identities.CreateAsync();
        var enrolled = await identities.CreateAsync();
        var stranger = await identities.CreateAsync();
        var removed = await identities.CreateAsync();
        var sensor = new Dictionary<string, byte[]> { ["ockam.role"] = "sensor"u8.ToArray() };

        string authority;
        string token;
        ulong revoked;
        ulong highest;
        LocalIdentity rotated;
        await using (var silo = await RunningSilo.StartAsync(data.Path, storage, database?.ConnectionString))
        {
            var grain = silo.Grains.GetGrain<IAuthorityGrain>("default");
            authority = ChangeHistory.Decode(await grain.GetIdentityAsync()).Identifier.ToString();
            var first = await grain.IssueAsync(device.Identifier.ToString(), sensor);
            var second = await grain.IssueAsync(other.Identifier.ToString(), sensor);
            revoked = second.Serial;
            await grain.RevokeAsync(revoked);
            await grain.IssueAsync(removed.Identifier.ToString(), sensor);
            await grain.RevokeMemberAsync(removed.Identifier.ToString());
            token = await grain.CreateOperatorTokenAsync(sensor, TimeSpan.FromHours(1), uses: 1);
            var redeemed = await grain.EnrollAsync(token, enrolled.Identifier.ToString());
            Assert.Equal(AuthorityOutcome.Issued, redeemed.Outcome);
            highest = new[] { first.Serial, second.Serial, redeemed.Serial }.Max();

            rotated = await identities.RotateAsync(device);
            var identity = silo.Grains.GetGrain<IIdentityGrain>(device.Identifier.ToString());
            Assert.Equal(PublicationOutcome.Accepted, (await identity.PublishAsync(device.History.Encode())).Outcome);
            Assert.Equal(PublicationOutcome.Accepted, (await identity.PublishAsync(rotated.History.Encode())).Outcome);
        }

        await using (var silo = await RunningSilo.StartAsync(data.Path, storage, database?.ConnectionString))
        {
            var grain = silo.Grains.GetGrain<IAuthorityGrain>("default");
            Assert.Equal(authority, ChangeHistory.Decode(await grain.GetIdentityAsync()).Identifier.ToString());

            var list = RevocationList.Decode(await grain.GetRevocationListAsync());
            Assert.Contains(revoked, list.Data.RevokedSerials);

            Assert.Equal(AuthorityOutcome.TokenUsed, (await grain.EnrollAsync(token, stranger.Identifier.ToString())).Outcome);

            // The holder of the revoked serial stays suspended, the revoked member revoked.
            Assert.Equal(AuthorityOutcome.Suspended, (await grain.GetCredentialAsync(other.Identifier.ToString())).Outcome);
            Assert.Equal(AuthorityOutcome.Revoked, (await grain.EnrollAsync(token, removed.Identifier.ToString())).Outcome);
            var refreshed = await grain.GetCredentialAsync(enrolled.Identifier.ToString());
            Assert.Equal(AuthorityOutcome.Issued, refreshed.Outcome);
            Assert.True(refreshed.Serial > highest, "a serial was reused after the restart");
            Assert.Equal("sensor", Encoding.UTF8.GetString(CredentialPresentation.Decode(refreshed.Credential!).Credential.Data.Attributes["ockam.role"]));

            var identity = silo.Grains.GetGrain<IIdentityGrain>(device.Identifier.ToString());
            Assert.Equal(rotated.History.Encode(), await identity.GetHistoryAsync());
            Assert.Equal(PublicationOutcome.RolledBack, (await identity.PublishAsync(device.History.Encode())).Outcome);
        }

        if (database is not null)
        {
            Assert.True(await database.CountRowsAsync("OrleansStorage") >= 4);
        }
        else
        {
            Assert.True(File.Exists(Path.Combine(data.Path, "ockam.db")));
        }
    }

    public void Dispose()
    {
        vault.Dispose();
        data.Dispose();
    }
}
