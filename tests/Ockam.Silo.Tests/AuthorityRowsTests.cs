using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Silo.Configuration;
using Ockam.Silo.Tests.Support;
using Xunit.Abstractions;

namespace Ockam.Silo.Tests;

/// <summary>The authority's members, serials and token redemptions as rows of the silo's database, across a restart.</summary>
public sealed class AuthorityRowsTests(ITestOutputHelper output) : IDisposable
{
    private const int Devices = 40;

    private const int Fleet = 10_000;

    private readonly SoftwareVault vault = new();
    private readonly TempDirectory data = new();

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Members_serials_and_a_tokens_uses_survive_a_restart(StorageKind storage)
    {
        await using var database = storage == StorageKind.PostgreSql ? await PostgresDatabase.CreateAsync() : null;
        var identities = await Task.WhenAll(Enumerable.Range(0, Devices).Select(async _ => (await new IdentityManager(vault, TimeProvider.System).CreateAsync()).Identifier.ToString()));
        string token;
        AuthorityResult[] enrolled;
        await using (var silo = await RunningSilo.StartAsync(data.Path, storage, database?.ConnectionString))
        {
            var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
            token = await authority.CreateOperatorTokenAsync(new Dictionary<string, byte[]> { ["ockam.role"] = "device"u8.ToArray() }, TimeSpan.FromHours(1), uses: Devices);
            enrolled = await Task.WhenAll(identities.Select(id => Task.Run(() => authority.EnrollAsync(token, id))));
            Assert.All(enrolled, r => Assert.Equal(AuthorityOutcome.Issued, r.Outcome));
        }

        await using (var silo = await RunningSilo.StartAsync(data.Path, storage, database?.ConnectionString))
        {
            var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
            foreach (var id in identities)
            {
                var standing = await authority.GetStandingAsync(id);
                Assert.Equal(MemberStatus.Member, standing.Status);
                Assert.Equal("device", Encoding.UTF8.GetString(standing.Attributes["ockam.role"]));
            }

            // Every use of the token is taken; a redeemer's retry still gets its credential, a newcomer nothing.
            var stranger = (await new IdentityManager(vault, TimeProvider.System).CreateAsync()).Identifier.ToString();
            Assert.Equal(AuthorityOutcome.TokenUsed, (await authority.EnrollAsync(token, stranger)).Outcome);
            var retried = await authority.EnrollAsync(token, identities[0]);
            Assert.Equal(AuthorityOutcome.Issued, retried.Outcome);

            // A serial's row names its holder: revoking one suspends that member and lists every credential it holds.
            var list = RevocationList.Decode(await authority.RevokeAsync(enrolled[1].Serial)).Data.RevokedSerials;
            Assert.Contains(enrolled[1].Serial, list);
            Assert.Equal(MemberStatus.Suspended, (await authority.GetStandingAsync(identities[1])).Status);
            Assert.DoesNotContain(retried.Serial, list);
        }

        var serials = Devices + 1;
        Assert.Equal(Devices, await CountAsync(database, "AuthorityMember"));
        Assert.Equal(serials, await CountAsync(database, "AuthoritySerial"));
        Assert.Equal(Devices, await CountAsync(database, "TokenRedemption"));
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task A_serial_is_never_given_twice_across_restarts(StorageKind storage)
    {
        await using var database = storage == StorageKind.PostgreSql ? await PostgresDatabase.CreateAsync() : null;
        var subject = (await new IdentityManager(vault, TimeProvider.System).CreateAsync()).Identifier.ToString();
        var given = new List<ulong>();

        // Only issuance between restarts (no revocation, whose list is also stored with the ledger's state): what keeps
        // serials apart is the block reservation stored before a block is handed out.
        for (var restart = 0; restart < 3; restart++)
        {
            await using var silo = await RunningSilo.StartAsync(data.Path, storage, database?.ConnectionString);
            var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
            var issued = await authority.IssueAsync(subject, new Dictionary<string, byte[]> { ["ockam.role"] = "sensor"u8.ToArray() });
            Assert.Equal(AuthorityOutcome.Issued, issued.Outcome);
            Assert.DoesNotContain(issued.Serial, given);
            given.Add(issued.Serial);
        }

        Assert.Equal(given.Order(), given);
    }

    [Fact]
    public async Task Ten_thousand_devices_enrol_with_one_token_each_once_with_its_own_serial()
    {
        var subjects = new string[Fleet];
        using (var identities = new SoftwareVault())
        {
            var manager = new IdentityManager(identities, TimeProvider.System);
            for (var i = 0; i < Fleet; i++)
            {
                subjects[i] = (await manager.CreateAsync()).Identifier.ToString();
            }
        }

        await using var silo = await RunningSilo.StartAsync(data.Path);
        var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
        var token = await authority.CreateOperatorTokenAsync(new Dictionary<string, byte[]> { ["ockam.role"] = "device"u8.ToArray() }, TimeSpan.FromHours(1), uses: Fleet);

        // Sixteen at a time, as many devices would; the rate of each thousand shows whether the cost grows with the fleet.
        var serials = new ulong[Fleet];
        var next = -1;
        var done = 0;
        var clock = Stopwatch.StartNew();
        var lap = TimeSpan.Zero;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Fleet)
            {
                var result = await authority.EnrollAsync(token, subjects[i]);
                Assert.Equal(AuthorityOutcome.Issued, result.Outcome);
                serials[i] = result.Serial;
                lock (serials)
                {
                    if (++done % 1000 == 0)
                    {
                        var now = clock.Elapsed;
                        output.WriteLine($"{done} enrolled: the last 1 000 at {1000 / (now - lap).TotalSeconds:F0}/s");
                        lap = now;
                    }
                }
            }
        })));

        output.WriteLine($"{Fleet} in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(Fleet, serials.Distinct().Count());
        Assert.Equal(AuthorityOutcome.TokenUsed, (await authority.EnrollAsync(token, (await new IdentityManager(vault, TimeProvider.System).CreateAsync()).Identifier.ToString())).Outcome);
        Assert.Equal(Fleet, await CountAsync(null, "AuthorityMember"));
    }

    public void Dispose()
    {
        vault.Dispose();
        data.Dispose();
    }

    private async Task<long> CountAsync(PostgresDatabase? database, string table)
    {
        if (database is not null)
        {
            return await database.CountRowsAsync(table);
        }

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(data.Path, "ockam.db"), Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = $"SELECT count(*) FROM {table}";
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
