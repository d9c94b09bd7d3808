using System.Text;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using static Ockam.Client.Tests.Support.OckamProcess;

namespace Ockam.Client.Tests;

/// <summary>The real <c>ockam</c> binary, process by process, against a real silo: every command and its error paths.</summary>
public sealed class CliTests : IAsyncLifetime
{
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
    public async Task An_admin_enrols_a_phone_and_a_monitor_and_the_monitor_messages_the_phone_through_its_relay()
    {
        var admin = await NodeAsync("admin");
        var adminToken = await silo.Grains.GetGrain<IAuthorityGrain>("default")
            .CreateOperatorTokenAsync(new Dictionary<string, byte[]> { ["ockam.role"] = "admin"u8.ToArray() }, TimeSpan.FromHours(1), uses: 1);
        var enrolled = Json(await Ok(admin, "enroll", adminToken, "--json"));
        Assert.Equal("ockam.role=admin", enrolled["attributes"]);
        Assert.Equal(enrolled["subject"], Json(await Ok(admin, "credential", "show", "--json"))["subject"]);

        // The phone gets a ticket (silo address, pinned identifier and token in one): nothing to set up first.
        var phone = Path.Combine(homes.Path, "phone");
        await Ok(phone, "enroll", Json(await Ok(admin, "token", "create", "-a", "ockam.role=phone", "-a", "ockam.relay=phone", "--json"))["ticket"]);
        Assert.Equal(silo.Identities.Silo.Identifier.ToString(), Json(await Ok(phone, "silo", "show", "--json"))["identifier"]);
        var monitor = await NodeAsync("monitor");
        var monitorToken = Json(await Ok(admin, "token", "create", "--attribute", "ockam.role=monitor", "--uses", "2", "--json"));
        Assert.Equal("2", monitorToken["uses"]);
        await Ok(monitor, "enroll", monitorToken["token"]);
        Assert.Equal("phone", Json(await Ok(phone, "relay", "create", "phone", "--json"))["name"]);

        // The phone listens (a long-running process); the monitor sends one message, then two from standard input.
        var idle = Json(await Ok(phone, "status", "--json"));
        Assert.Equal(("not running", "True", "ockam.relay=phone, ockam.role=phone"), (idle["node"], idle["enrolled"], idle["attributes"]));
        Assert.StartsWith("yes, proving its identifier", idle["silo answers"], StringComparison.Ordinal);
        Assert.Equal("phone: owned by this node, not listening (mail waits sealed)", idle["relay"]);

        using var listener = OckamProcess.Start(phone, false, "listen", "--relay", "phone", "--count", "3", "--json");
        await WaitForRelayOnlineAsync("phone");

        // While the listener runs, status reads the home beside it and leaves its connection alone.
        var running = Json(await Ok(phone, "status", "--json"));
        Assert.Equal(("running (another process holds this home)", $"{silo.EdgeEndpoint} yes"), (running["node"], running["silo accepts"]));
        Assert.False(running.ContainsKey("relay"));
        Assert.Equal("1", Json(await Ok(monitor, "send", "--to", "phone", "bpm=72", "--json"))["messages"]);
        var (exit, output, error) = await OckamProcess.RunWithInputAsync(monitor, "bpm=73\nbpm=74\n", "send", "--to", "phone", "-");
        Assert.True(exit == 0, error);
        Assert.Contains("messages", output);

        var (listened, lines, listenErrors) = await OckamProcess.WaitAsync(listener, TimeSpan.FromSeconds(60));
        Assert.True(listened == 0, listenErrors);
        var received = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Json).ToList();
        Assert.Equal(["bpm=72", "bpm=73", "bpm=74"], received.Select(r => r["message"]));
        var monitorId = Json(await Ok(monitor, "identity", "show", "--json"))["identifier"];
        Assert.All(received, r => Assert.Equal(monitorId, r["from"]));

        // Diagnostics, rotation, and the human (table) output.
        Assert.Equal("True", Json(await Ok(monitor, "channel", "check", "--json"))["as member"]);
        Assert.Equal("2", Json(await Ok(monitor, "identity", "rotate", "--json"))["changes"]);
        Assert.Contains(monitorId, await Ok(monitor, "identity", "show"));
        Assert.Contains("127.0.0.1", await Ok(monitor, "silo", "show"));

        // Revoking the identity ends its membership: the silo no longer issues it credentials.
        Assert.Equal("True", Json(await Ok(monitor, "identity", "revoke", "--json"))["revoked"]);
        Assert.Equal(AuthorityOutcome.Revoked, (await silo.Grains.GetGrain<IAuthorityGrain>("default").GetCredentialAsync(monitorId)).Outcome);
    }

    [Fact]
    public async Task Rooms_and_topics_from_the_command_line()
    {
        var authority = silo.Grains.GetGrain<IAuthorityGrain>("default");
        async Task<string> Enrolled(string name, params (string Name, string Value)[] attributes)
        {
            var home = await NodeAsync(name);
            await Ok(home, "enroll", await authority.CreateOperatorTokenAsync(attributes.ToDictionary(a => a.Name, a => System.Text.Encoding.UTF8.GetBytes(a.Value)), TimeSpan.FromHours(1), uses: 1));
            return home;
        }

        var alice = await Enrolled("alice", ("ockam.role", "member"), ("ockam.relay", "alice"), ("ockam.topic", "news"));
        var bob = await Enrolled("bob", ("ockam.role", "member"), ("ockam.relay", "bob"));
        var carol = await Enrolled("carol", ("ockam.role", "subscriber"), ("ockam.relay", "carol"));
        var bobId = Json(await Ok(bob, "identity", "show", "--json"))["identifier"];

        // Fan-out goes only to a relay its member owns: Alice claims hers before naming it.
        await Ok(alice, "relay", "create", "alice");
        Assert.Equal("0", Json(await Ok(alice, "room", "create", "ward", "--relay", "alice", "--json"))["epoch"]);
        using (var listener = OckamProcess.Start(bob, false, "room", "listen", "ward", "--relay", "bob", "--count", "1", "--json"))
        {
            await WaitForRelayOnlineAsync("bob");
            Assert.Equal("1", Json(await Ok(alice, "room", "invite", "ward", bobId, "--json"))["epoch"]);
            await Ok(alice, "room", "send", "ward", "hello bob");
            var (exit, output, error) = await OckamProcess.WaitAsync(listener, TimeSpan.FromSeconds(60));
            Assert.True(exit == 0, error);
            Assert.Equal("hello bob", Json(output)["message"]);
        }

        Assert.Contains(bobId, Json(await Ok(alice, "room", "members", "ward", "--json"))["members"]);
        Assert.Equal(("ward", "none"), (Json(await Ok(bob, "status", "--json"))["rooms"], Json(await Ok(bob, "status", "--json"))["topics"]));
        Assert.Equal("2", Json(await Ok(alice, "room", "remove", "ward", bobId, "--json"))["epoch"]);
        Assert.Equal("1", Json(await Ok(alice, "room", "members", "ward", "--json"))["members"].Split(", ").Length.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await Ok(alice, "topic", "create", "news", "--relay", "alice", "--subscribe-policy", "(= subject.ockam.role \"subscriber\")", "--publish-policy", "(= subject.ockam.role \"member\")");
        using (var subscriber = OckamProcess.Start(carol, false, "topic", "subscribe", "news", "--relay", "carol", "--count", "1", "--json"))
        {
            await Eventually.TrueAsync(async () => (await silo.Grains.GetDeliveryService(Ockam.Messaging.Api.GroupId.Topic("news")).GetInfoAsync()).Pending.Length > 0);

            Assert.Equal("1", Json(await Ok(alice, "topic", "publish", "news", "headline", "--json"))["admitted"]);
            var (exit, output, error) = await OckamProcess.WaitAsync(subscriber, TimeSpan.FromSeconds(60));
            Assert.True(exit == 0, error);
            Assert.Equal("headline", Json(output)["message"]);
        }

        Assert.Equal("news", Json(await Ok(carol, "status", "--json"))["topics"]);

        var (refused, _, why) = await OckamProcess.RunAsync(bob, "topic", "subscribe", "news", "--count", "1");
        Assert.Equal((2, true), (refused, why.Contains("subscribe policy", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Errors_are_one_clear_line_with_an_exit_code()
    {
        // Not set up: no silo configured.
        var lonely = Path.Combine(homes.Path, "lonely");
        Assert.Contains("ockam.", Json(await Ok(lonely, "identity", "create", "--json"))["home"] + "ockam.");
        var (exit, _, error) = await OckamProcess.RunAsync(lonely, "enroll", "whatever");
        Assert.Equal(4, exit);
        Assert.StartsWith("error: no silo configured", error.Trim());

        // No silo listening there: status still reports the node, and says so with exit 3.
        await Ok(lonely, "silo", "set", "127.0.0.1:9", silo.Identities.Silo.Identifier.ToString());
        (exit, _, error) = await OckamProcess.RunAsync(lonely, "channel", "check");
        Assert.Equal(3, exit);
        Assert.StartsWith("error:", error.Trim());
        string output;
        (exit, output, _) = await OckamProcess.RunAsync(lonely, "status", "--json");
        var status = Json(output);
        Assert.Equal((3, "False", "127.0.0.1:9 no", "not running"), (exit, status["enrolled"], status["silo accepts"], status["node"]));
        Assert.StartsWith("no", status["silo answers"], StringComparison.Ordinal);

        // A home with nothing in it yet.
        status = Json(await Ok(Path.Combine(homes.Path, "empty"), "status", "--json"));
        Assert.Equal(("none: run `ockam identity create`", "False"), (status["identity"], status["enrolled"]));

        // A silo, but a bad token, an expired token, an unknown relay, a command it may not run.
        var node = await NodeAsync("node");
        (exit, _, error) = await OckamProcess.RunAsync(node, "enroll", "not-a-token");
        Assert.Equal((2, true), (exit, error.Contains("TokenUnknown", StringComparison.Ordinal)));

        var expired = await silo.Grains.GetGrain<IAuthorityGrain>("default")
            .CreateOperatorTokenAsync(new Dictionary<string, byte[]> { ["ockam.role"] = "sensor"u8.ToArray() }, TimeSpan.FromSeconds(1), uses: 1);
        // Time must pass on the silo's real clock (the silo this class shares keeps real time): past the token's 1 s.
        await Task.Delay(TimeSpan.FromSeconds(2));
        (exit, _, error) = await OckamProcess.RunAsync(node, "enroll", expired);
        Assert.Equal((2, true), (exit, error.Contains("TokenExpired", StringComparison.Ordinal)));

        var fresh = await silo.Grains.GetGrain<IAuthorityGrain>("default")
            .CreateOperatorTokenAsync(new Dictionary<string, byte[]> { ["ockam.role"] = "sensor"u8.ToArray() }, TimeSpan.FromHours(1), uses: 1);
        await Ok(node, "enroll", fresh);
        (exit, _, error) = await OckamProcess.RunAsync(node, "send", "--to", "nobody", "hello");
        Assert.Equal((2, true), (exit, error.Contains("UnknownRelay", StringComparison.Ordinal)));
        (exit, _, error) = await OckamProcess.RunAsync(node, "token", "create", "-a", "ockam.role=admin");
        Assert.Equal((2, true), (exit, error.Contains("Denied", StringComparison.Ordinal)));
        (exit, _, error) = await OckamProcess.RunAsync(node, "token", "create", "-a", "ockam.role=sensor", "--uses", "0");
        Assert.Equal((1, true), (exit, error.Contains("--uses", StringComparison.Ordinal)));
        (exit, _, error) = await OckamProcess.RunAsync(node, "relay", "create", "phone");
        Assert.Equal((2, true), (exit, error.Contains("Denied", StringComparison.Ordinal)));

        // A wrong command line.
        (exit, _, _) = await OckamProcess.RunAsync(node, "send");
        Assert.Equal(1, exit);
        (exit, _, error) = await OckamProcess.RunAsync(node, "silo", "set", "127.0.0.1:1", "not-an-identifier");
        Assert.Equal((1, true), (exit, error.Contains("not an identifier", StringComparison.Ordinal)));
    }

    private async Task<string> NodeAsync(string name)
    {
        var home = Path.Combine(homes.Path, name);
        await Ok(home, "identity", "create");
        await Ok(home, "silo", "set", silo.EdgeEndpoint.ToString(), silo.Identities.Silo.Identifier.ToString());
        return home;
    }

    private Task WaitForRelayOnlineAsync(string relay) =>
        Eventually.TrueAsync(async () => (await silo.Grains.GetGrain<IRelayGrain>(relay).GetStatusAsync()).Online);
}
