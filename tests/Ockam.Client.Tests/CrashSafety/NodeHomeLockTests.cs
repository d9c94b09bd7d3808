using Ockam.Cli;
using Ockam.Client.Edge;
using Ockam.Client.Tests.Support;
using Ockam.Messaging.Nodes;

namespace Ockam.Client.Tests.CrashSafety;

/// <summary>
/// One node home, one process: a second process would resume the same rooms and mail counter and could send under a
/// generation the first already used. The lock is the operating system's (it lets go when the holder dies, however
/// it dies), so these tests hold it in another process.
/// </summary>
public sealed class NodeHomeLockTests : IDisposable
{
    private readonly TempDirectory homes = new();

    public void Dispose() => homes.Dispose();

    [Fact]
    public async Task A_second_process_is_refused_while_the_first_holds_the_home_and_admitted_once_it_exits()
    {
        var home = Path.Combine(homes.Path, "node");
        using var holder = await ChildProcess.StartAsync("hold-lock", home);

        var refused = Assert.Throws<NodeHomeInUseException>(() => NodeHomeLock.Acquire(home));
        Assert.Equal(home, refused.Home);
        Assert.Contains("in use by another process", refused.Message);

        Assert.Equal(0, await holder.StopAsync());
        NodeHomeLock.Acquire(home).Dispose();
    }

    [Fact]
    public async Task A_holder_killed_outright_leaves_no_lock_behind()
    {
        var home = Path.Combine(homes.Path, "node");
        using var holder = await ChildProcess.StartAsync("hold-lock", home);
        Assert.Throws<NodeHomeInUseException>(() => NodeHomeLock.Acquire(home));

        await holder.KillAsync();
        NodeHomeLock.Acquire(home).Dispose();
    }

    [Fact]
    public async Task Every_command_that_keys_or_sends_is_refused_while_another_process_runs_the_home()
    {
        var home = Path.Combine(homes.Path, "node");
        // A silo that is never reached: a command that got past the lock would fail to connect (exit 3), not exit 5.
        string silo;
        using (var other = await NodeHome.OpenAsync(Path.Combine(homes.Path, "silo")))
        {
            silo = (await other.GetOrCreateIdentityAsync("default")).Identifier.ToString();
        }

        await new SiloSettings("127.0.0.1:1", silo).SaveAsync(home, CancellationToken.None);
        using (var holder = await ChildProcess.StartAsync("hold-lock", home))
        {
            string[][] commands =
            [
                ["identity", "create"],
                ["room", "send", "ward", "hello"],
                ["topic", "publish", "news", "hello"],
                ["send", "--to", "phone", "hello"],
                ["listen", "--relay", "phone"],
            ];
            foreach (var command in commands)
            {
                var (exit, _, error) = await OckamProcess.RunAsync(home, command);
                Assert.True(exit == ExitCode.InUse, $"ockam {string.Join(' ', command)} exited {exit}: {error}");
                Assert.Contains("in use by another process", error);
            }

            await holder.KillAsync();
        }

        await OckamProcess.Ok(home, "identity", "create");
    }
}
