using System.Net;
using System.Net.Sockets;
using System.Text;
using Ockam.Client.Tests.Support;
using Ockam.Grains.Contracts;
using static Ockam.Client.Tests.Support.OckamProcess;

namespace Ockam.Client.Tests;

/// <summary>The real <c>ockam</c> tool: <c>node run</c> with an outlet from a configuration file, and <c>portal inlet</c>, against a real silo.</summary>
public sealed class PortalCliTests : IAsyncLifetime
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
    public async Task A_node_run_from_a_file_serves_an_outlet_that_a_portal_inlet_reaches()
    {
        var server = await EnrolledAsync("server", ("ockam.role", "server"), ("ockam.relay", "*"));
        var client = await EnrolledAsync("client", ("ockam.role", "client"));

        // The service answers with what it read, once its client has shut down its send side.
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        var serving = Task.Run(async () =>
        {
            using var connection = await echo.AcceptTcpClientAsync();
            var stream = connection.GetStream();
            using var all = new MemoryStream();
            await stream.CopyToAsync(all);
            await stream.WriteAsync(all.ToArray());
        });

        var config = Path.Combine(homes.Path, "node.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              // one outlet, and a relay for messages beside it
              "relays": ["server-inbox"],
              "outlets": [{ "relay": "echo", "to": "127.0.0.1:{{((IPEndPoint)echo.LocalEndpoint).Port}}", "allow": "(= subject.ockam.role \"client\")" }]
            }
            """);
        var from = $"127.0.0.1:{RunningSilo.FreePort()}";
        using var node = OckamProcess.Start(server, false, "node", "run", config, "--json");
        System.Diagnostics.Process? inlet = null;
        try
        {
            // The inlet once the outlet's relay exists: an inlet to a relay nobody holds fails at once.
            Assert.Equal("echo", Json(await ReadLineAsync(node))["relay"]);
            inlet = OckamProcess.Start(client, false, "portal", "inlet", "--from", from, "--via", "echo", "--allow", """(= subject.ockam.role "server")""", "--json");
            Assert.Equal(from, Json(await ReadLineAsync(inlet))["from"]);
            await Eventually.TrueAsync(async () => (await silo.Grains.GetGrain<IRelayGrain>("server-inbox").GetStatusAsync()).Online);

            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPEndPoint.Parse(from));
            var stream = tcp.GetStream();
            await stream.WriteAsync("through the portal"u8.ToArray());
            tcp.Client.Shutdown(SocketShutdown.Send);
            using var answer = new MemoryStream();
            await stream.CopyToAsync(answer).WaitAsync(TimeSpan.FromSeconds(60));
            await serving;
            Assert.Equal("through the portal", Encoding.UTF8.GetString(answer.ToArray()));

            // `ockam status` beside each running node lists what it serves.
            Assert.Equal($"outlet echo → 127.0.0.1:{((IPEndPoint)echo.LocalEndpoint).Port}", Json(await Ok(server, "status", "--json"))["portals"]);
            Assert.Equal($"inlet {from} → echo", Json(await Ok(client, "status", "--json"))["portals"]);
        }
        finally
        {
            node.Kill(entireProcessTree: true);
            inlet?.Kill(entireProcessTree: true);
            inlet?.Dispose();
        }

        // Killed, the node left its list behind; with no process holding the home it is not read as running.
        await node.WaitForExitAsync();
        Assert.Equal("none", Json(await Ok(server, "status", "--json"))["portals"]);
    }

    [Fact]
    public async Task A_configuration_that_names_a_bad_policy_fails_before_the_node_starts()
    {
        var home = Path.Combine(homes.Path, "bad");
        var config = Path.Combine(homes.Path, "bad.json");
        await File.WriteAllTextAsync(config, """{ "outlets": [{ "relay": "db", "to": "127.0.0.1:5432", "allow": "(= subject.ockam.role" }] }""");
        var (exit, _, error) = await RunAsync(home, "node", "run", config);
        Assert.Equal(1, exit);
        Assert.Contains("bad policy for outlet db", error, StringComparison.Ordinal);
    }

    private static async Task<string> ReadLineAsync(System.Diagnostics.Process process) =>
        await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) ?? throw new InvalidOperationException($"ockam exited: {await process.StandardError.ReadToEndAsync()}");

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
}
