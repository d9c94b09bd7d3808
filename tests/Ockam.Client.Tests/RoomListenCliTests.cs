using System.Diagnostics;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using Xunit.Abstractions;
using static Ockam.Client.Tests.Support.OckamProcess;

namespace Ockam.Client.Tests;

/// <summary>
/// The plain path a new user takes, with the real <c>ockam</c> processes against a real silo: a node that has only
/// enrolled is invited, listens with no flags, gets messages live, and sees each one exactly once across a restart.
/// </summary>
public sealed class RoomListenCliTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(15);
    private readonly TempDirectory data = new();
    private readonly TempDirectory homes = new();
    private RunningSilo silo = null!;

    public async Task InitializeAsync() => silo = await RunningSilo.StartAsync(data.Path);

    public async Task DisposeAsync()
    {
        await silo.DisposeAsync();
        data.Dispose();
        homes.Dispose();
    }

    [Fact]
    public async Task A_node_that_only_enrolled_is_invited_listens_with_no_flags_and_sees_every_message_once_across_a_restart()
    {
        // Bounded by the per-line and per-command timeouts; about 15 ockam processes (~25 s on an idle 2-core machine).
        var started = Stopwatch.StartNew();
        var alice = Path.Combine(homes.Path, "alice");
        await Ok(alice, "silo", "set", silo.EdgeEndpoint.ToString(), silo.Identities.Silo.Identifier.ToString());
        await Ok(alice, "enroll", await silo.Grains.GetGrain<IAuthorityGrain>("default")
            .CreateOperatorTokenAsync(new Dictionary<string, byte[]> { ["ockam.role"] = "admin"u8.ToArray() }, TimeSpan.FromHours(1), uses: 1));

        // Bob runs one command: enroll, with the ticket Alice gave him. No relay, no room command.
        var bob = Path.Combine(homes.Path, "bob");
        var ticket = Json(await Ok(alice, "token", "create", "-a", "ockam.role=member", "--json"))["ticket"];
        var bobId = Json(await Ok(bob, "enroll", ticket, "--json"))["subject"];

        // An identity that never enrolled has no group keys: the refusal says what it must run.
        using var strangerVault = new Ockam.Identity.Vault.SoftwareVault();
        var stranger = await new Ockam.Identity.Identities.IdentityManager(strangerVault, TimeProvider.System).CreateAsync();
        await Ok(alice, "room", "create", "ward");
        var (refused, _, why) = await OckamProcess.RunAsync(alice, "room", "invite", "ward", stranger.Identifier.ToString());
        Assert.Equal((2, true), (refused, why.Contains("ockam enroll", StringComparison.Ordinal)));

        Assert.Equal("1", Json(await Ok(alice, "room", "invite", "ward", bobId, "--json"))["epoch"]);
        await Ok(alice, "room", "send", "ward", "before-1");

        // Bob listens with no flags: what he missed first, then live.
        var shown = new List<string>();
        var first = Listener.Start(bob);
        try
        {
            shown.Add(await first.NextAsync());
            for (var i = 1; i <= 2; i++)
            {
                var sending = Stopwatch.StartNew();
                await Ok(alice, "room", "send", "ward", $"live-{i}");
                var sent = sending.Elapsed;
                shown.Add(await first.NextAsync());
                output.WriteLine($"live-{i}: shown {sending.Elapsed.TotalMilliseconds:F0} ms after 'room send' started, {(sending.Elapsed - sent).TotalMilliseconds:F0} ms after it exited");
            }

            // One node home, one process: a second one is refused with a clear error.
            var (busy, _, inUse) = await OckamProcess.RunAsync(bob, "room", "send", "ward", "from a second process");
            Assert.Equal((5, true), (busy, inUse.Contains("in use by another process", StringComparison.Ordinal)));
        }
        finally
        {
            shown.AddRange(await first.KillAsync());
        }

        // Sent while Bob's listener is down, then after it is back.
        await Ok(alice, "room", "send", "ward", "down-1");
        await Ok(alice, "room", "send", "ward", "down-2");
        var second = Listener.Start(bob);
        try
        {
            shown.Add(await second.NextAsync());
            shown.Add(await second.NextAsync());
            await Ok(alice, "room", "send", "ward", "after-1");
            shown.Add(await second.NextAsync());

            // Nothing else comes (no repeat of what was shown before the restart): a window, nothing to wait for.
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        finally
        {
            shown.AddRange(await second.KillAsync());
        }

        Assert.Equal(["before-1", "live-1", "live-2", "down-1", "down-2", "after-1"], shown);
        output.WriteLine($"whole test: {started.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>A running <c>ockam room listen ward --json</c>, read line by line.</summary>
    private sealed class Listener
    {
        private readonly Process process;

        private Listener(Process process) => this.process = process;

        public static Listener Start(string home) => new(OckamProcess.Start(home, false, "room", "listen", "ward", "--json"));

        /// <summary>The next message shown.</summary>
        public async Task<string> NextAsync()
        {
            using var timeout = new CancellationTokenSource(LineTimeout);
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"the listener ended: {await process.StandardError.ReadToEndAsync()}");
            return Json(line)["message"];
        }

        /// <summary>Kills it (as a crash or Ctrl-C would end it) and returns whatever else it had shown.</summary>
        public async Task<IReadOnlyList<string>> KillAsync()
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            var rest = await process.StandardOutput.ReadToEndAsync();
            process.Dispose();
            return [.. rest.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Json(l)["message"])];
        }
    }
}
