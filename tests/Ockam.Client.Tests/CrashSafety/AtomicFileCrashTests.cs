using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Identity.Files;
using Ockam.Identity.Identities;
using Ockam.Messaging.Nodes;

namespace Ockam.Client.Tests.CrashSafety;

/// <summary>
/// A process killed while it writes what it keeps (SIGKILL: no finally block, no flush, no disposal runs) leaves each
/// file as it was before the write or as the write made it, never part of each: <see cref="AtomicFile"/> writes a
/// temporary file and renames it over the old one. What it leaves behind is a temporary file, which nothing reads and
/// the node's next start deletes.
/// </summary>
public sealed class AtomicFileCrashTests : IDisposable
{
    private const int Kills = 20;

    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task A_writer_killed_at_random_moments_leaves_the_old_file_or_the_new_one_never_a_torn_one()
    {
        var path = Path.Combine(directory.Path, "state.bin");
        byte[][] contents = [Child.Content(0), Child.Content(1)];
        for (var kill = 0; kill < Kills; kill++)
        {
            using var writer = await ChildProcess.StartAsync("write-forever", path);
            // Time must pass here, not a condition come true: the kill lands wherever the writer happens to be.
            var after = TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100));
            await Task.Delay(after);
            await writer.KillAsync();

            var found = await File.ReadAllBytesAsync(path);
            Assert.True(
                found.AsSpan().SequenceEqual(contents[0]) || found.AsSpan().SequenceEqual(contents[1]),
                $"kill {kill} ({after.TotalMilliseconds} ms after the first write) left {found.Length} bytes that are neither content");
        }

        // The kills landed inside writes (else this test shows nothing): each left the temporary file it was writing,
        // named so that no reader takes it for the file.
        var leftovers = Directory.GetFiles(directory.Path).Where(f => f != path).Select(Path.GetFileName).ToList();
        Assert.NotEmpty(leftovers);
        Assert.All(leftovers, name => Assert.Matches(@"^\.state\.bin\.[0-9a-f]{16}\.tmp$", name));

        // The next start (under the home lock) deletes them, and only them.
        AtomicFile.DeleteLeftovers(directory.Path);
        Assert.Equal([path], Directory.GetFiles(directory.Path));
    }

    [Fact]
    public async Task A_node_start_deletes_what_killed_writes_left_in_its_home_and_nothing_else()
    {
        var home = Path.Combine(directory.Path, "node");
        var rooms = Directory.CreateDirectory(Path.Combine(home, "rooms")).FullName;
        string[] leftovers = [Path.Combine(home, ".vault.cbor.0123456789abcdef.tmp"), Path.Combine(rooms, ".ward.room.fedcba9876543210.tmp")];
        string[] others = [Path.Combine(home, ".notes.tmp"), Path.Combine(rooms, ".ward.room.0123456789ABCDEF.tmp")];
        foreach (var file in leftovers.Concat(others))
        {
            await File.WriteAllBytesAsync(file, "secrets deleted since"u8.ToArray());
        }

        // A silo that is never reached: opening the node needs none.
        string silo;
        using (var other = await NodeHome.OpenAsync(Path.Combine(directory.Path, "silo")))
        {
            silo = (await other.GetOrCreateIdentityAsync("default")).Identifier.ToString();
        }

        await (await EdgeNode.OpenAsync(new EdgeNodeOptions { Home = home, Silo = "127.0.0.1:1", SiloIdentifier = Identifier.Parse(silo) })).DisposeAsync();

        Assert.All(leftovers, file => Assert.False(File.Exists(file), file));
        Assert.All(others, file => Assert.True(File.Exists(file), file));
    }

    [Fact]
    public async Task A_node_home_whose_keys_were_being_renewed_when_it_was_killed_opens_with_every_key_it_names()
    {
        var home = Path.Combine(directory.Path, "node");
        var identities = Path.Combine(home, "identities.cbor");
        for (var kill = 0; kill < Kills / 2; kill++)
        {
            using var churn = await ChildProcess.StartAsync("churn-keys", home);
            // As above: the kill lands at a random point of a round (vault write, identities write, old keys deleted).
            await Task.Delay(Random.Shared.Next(0, 50));
            await churn.KillAsync();

            // The next start: both files decode, and every key the identities file names is in the vault, so none needs
            // replacing (a missing one would be renewed, and the identities file rewritten).
            var before = await File.ReadAllBytesAsync(identities);
            using (var reopened = await NodeHome.OpenAsync(home))
            {
                var identity = await reopened.GetOrCreateIdentityAsync(Child.IdentityName);
                Assert.True(reopened.Vault.Contains(identity.PrimaryKey), $"after kill {kill} the vault lacks the identity's key");
                await reopened.GetOrCreatePurposeKeysAsync(Child.IdentityName, Child.ChurnedPurposes, Child.ChurnedLifetime, renewBefore: TimeSpan.Zero);
            }

            var after = await File.ReadAllBytesAsync(identities);
            Assert.True(before.AsSpan().SequenceEqual(after), $"after kill {kill} a purpose key named in the identities file was not in the vault");
        }
    }
}
