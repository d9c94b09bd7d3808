using System.Text;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using static Ockam.Client.Tests.Support.OckamProcess;

namespace Ockam.Client.Tests;

/// <summary>
/// Sealed mail with the real <c>ockam</c> binary against a real silo: readings for a phone whose process was killed
/// wait in its relay, sealed to its identity, and a new process of the same node home reads each of them once.
/// </summary>
public sealed class SealedMailCliTests : IAsyncLifetime
{
    private const string Marker = "SEALED-READING-5ea1ed";
    private readonly TempDirectory data = new();
    private readonly TempDirectory homes = new();
    private readonly RelayedEnvelopeFilter relayed = new();
    private RunningSilo silo = null!;

    // The silo keeps a copy of every envelope it relays, to play one that replays them.
    public async Task InitializeAsync() =>
        silo = await RunningSilo.StartAsync(data.Path, services: relayed.AddTo);

    public async Task DisposeAsync()
    {
        await silo.DisposeAsync();
        data.Dispose();
        homes.Dispose();
    }

    [Fact]
    public async Task A_phone_killed_while_readings_queue_reads_all_of_them_in_a_new_process_in_order_once_and_the_silo_holds_none_in_the_clear()
    {
        var phone = await EnrolledAsync("phone", ("ockam.role", "phone"), ("ockam.relay", "phone"));
        var monitor = await EnrolledAsync("monitor", ("ockam.role", "monitor"));
        var monitorId = Json(await Ok(monitor, "identity", "show", "--json"))["identifier"];
        var phoneId = Json(await Ok(phone, "identity", "show", "--json"))["identifier"];
        await Ok(phone, "relay", "create", "phone");

        // The phone listens, then its process is killed: no goodbye to the silo, nothing kept in memory survives.
        using (var first = OckamProcess.Start(phone, false, "listen", "--relay", "phone", "--json"))
        {
            await WaitForRelayAsync("phone", online: true);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        // The silo has not noticed (the relay still names the phone online): the monitor's live handshake goes
        // unanswered, times out, and the readings are sealed instead — twenty from one process of the monitor, two
        // more, on request, from two later ones (its counter outlives them).
        var lines = string.Concat(Enumerable.Range(1, 20).Select(i => $"{Marker} n={i}\n"));
        var (exit, output, error) = await OckamProcess.RunWithInputAsync(monitor, lines, "send", "--to", "phone", "-", "--json");
        Assert.True(exit == 0, error);
        Assert.Equal(("True", "20", phoneId), (Json(output)["sealed"], Json(output)["messages"], Json(output)["peer"]));
        Assert.Equal("True", Json(await Ok(monitor, "send", "--to", "phone", "--sealed", $"{Marker} n=21", "--json"))["sealed"]);
        Assert.Equal("True", Json(await Ok(monitor, "send", "--to", "phone", "--sealed", "--recipient", phoneId, $"{Marker} n=22", "--json"))["sealed"]);

        // Queued: the 22 readings, and the unanswered handshake.
        Assert.Equal(relayed.Envelopes.Count, (await silo.Grains.GetGrain<IRelayGrain>("phone").GetStatusAsync()).Queued);
        await AssertNoReadingInTheClearAsync();

        // A new process of the same home reads every one of them, in order, once.
        var read = await ListenAsync(phone, 22);
        Assert.Equal(Enumerable.Range(1, 22).Select(i => $"{Marker} n={i}"), read.Select(r => r["message"]));
        Assert.All(read, r => Assert.Equal((monitorId, "true"), (r["from"], r["sealed"])));

        // The silo replays every sealed reading (the same bytes) into the mailbox; a process after a restart refuses
        // them all and takes only the fresh one that follows.
        var captured = relayed.Envelopes.ToArray();
        Assert.True(captured.Length >= 22, $"{captured.Length} envelopes relayed");
        foreach (var envelope in captured)
        {
            await silo.Grains.GetGrain<IRelayGrain>("phone").SendAsync(envelope, 0, monitorId);
        }

        Assert.Equal("True", Json(await Ok(monitor, "send", "--to", "phone", "--sealed", $"{Marker} fresh", "--json"))["sealed"]);
        var after = await ListenAsync(phone, 1);
        Assert.Equal($"{Marker} fresh", Assert.Single(after)["message"]);
        await AssertNoReadingInTheClearAsync();
    }

    [Fact]
    public async Task A_sealed_reading_to_a_relay_of_another_owner_than_the_one_named_is_not_sent()
    {
        var phone = await EnrolledAsync("phone", ("ockam.role", "phone"), ("ockam.relay", "phone"));
        var monitor = await EnrolledAsync("monitor", ("ockam.role", "monitor"));
        await Ok(phone, "relay", "create", "phone");
        var monitorId = Json(await Ok(monitor, "identity", "show", "--json"))["identifier"];

        var (exit, _, error) = await OckamProcess.RunAsync(monitor, "send", "--to", "phone", "--recipient", monitorId, "--sealed", $"{Marker} n=1");
        Assert.Equal((2, true), (exit, error.Contains("NotOwner", StringComparison.Ordinal)));
        Assert.Equal(0, (await silo.Grains.GetGrain<IRelayGrain>("phone").GetStatusAsync()).Queued);
    }

    private static async Task<List<Dictionary<string, string>>> ListenAsync(string home, int count)
    {
        using var listener = OckamProcess.Start(home, false, "listen", "--relay", "phone", "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        var (exit, output, error) = await OckamProcess.WaitAsync(listener, TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, error);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Json)];
    }

    private async Task AssertNoReadingInTheClearAsync()
    {
        var marker = Encoding.UTF8.GetBytes(Marker);
        var files = Directory.GetFiles(data.Path, "*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.True(copy.ToArray().AsSpan().IndexOf(marker) < 0, $"{file} holds a reading in the clear");
        }
    }

    private async Task<string> EnrolledAsync(string name, params (string Name, string Value)[] attributes)
    {
        var home = Path.Combine(homes.Path, name);
        await Ok(home, "identity", "create");
        await Ok(home, "silo", "set", silo.EdgeEndpoint.ToString(), silo.Identities.Silo.Identifier.ToString());
        var token = await silo.Grains.GetGrain<IAuthorityGrain>("default")
            .CreateOperatorTokenAsync(attributes.ToDictionary(a => a.Name, a => Encoding.UTF8.GetBytes(a.Value)), TimeSpan.FromHours(1), uses: 1);
        await Ok(home, "enroll", token);
        return home;
    }

    private Task WaitForRelayAsync(string relay, bool online) =>
        Eventually.TrueAsync(async () => (await silo.Grains.GetGrain<IRelayGrain>(relay).GetStatusAsync()).Online == online);
}
