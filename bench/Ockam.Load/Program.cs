using System.CommandLine;
using Ockam.Load;
using Spectre.Console;

var scenario = new Option<string[]>("--scenario", "-s")
{
    Description = "Scenarios to run (online, offline, cross, fanout, enrol, connections, flood, portal, mosquitto, mqtt); all by default",
    AllowMultipleArgumentsPerToken = true,
};
var mode = new Option<string>("--mode") { Description = "quick (minutes on 2 cores), default, or long (100 000 queued)", DefaultValueFactory = _ => "default" };
var subscribers = new Option<int?>("--subscribers") { Description = "Topic subscribers for fan-out (quick: 100, else 1 000)" };
var publications = new Option<int?>("--publications") { Description = "Publications measured in fan-out (by default 20 000 deliveries' worth: 200 to 100 subscribers, 20 to 1 000; more for a profile)" };
var enrolments = new Option<int?>("--enrolments") { Description = "Fresh devices to enrol, after 4 000 uncounted (quick: 2 000, else 10 000)" };
var connections = new Option<int?>("--connections") { Description = "Devices reconnecting at once, then idle (quick: 1 000, else 5 000)" };
var mqttPort = new Option<int?>("--mqtt-port") { Description = "A Mosquitto broker on 127.0.0.1 at this port, for the references" };
var mqttPid = new Option<int?>("--mqtt-pid") { Description = "With --mqtt-port: the broker's process id, for its memory per idle client" };
var siloDll = new Option<string?>("--silo-dll") { Description = "The silo to start (Ockam.Silo.dll); by default src/Ockam.Silo's build in this checkout" };
var connect = new Option<string?>("--connect") { Description = "Use a running silo instead: its edge gateway, host:port" };
var connectIdentifier = new Option<string?>("--connect-identifier") { Description = "With --connect: the silo's identifier" };
var connectGateway = new Option<int?>("--connect-gateway-port") { Description = "With --connect: its Orleans gateway port, for tokens and relay depths (the silo started with --gateway-port and --cluster-tls false, on loopback)" };
var connectService = new Option<string>("--connect-service-id") { Description = "With --connect: its Orleans service and cluster id", DefaultValueFactory = _ => "ockam" };
var connectPid = new Option<int?>("--connect-pid") { Description = "With --connect: its process id, for its CPU time" };
var report = new Option<string?>("--report") { Description = "Write the table of figures (markdown) here" };
var work = new Option<string?>("--work") { Description = "A directory for silo data and node homes (a fresh temporary one by default)" };
var deviceHomes = new Option<string?>("--device-homes") { Description = "A directory (a tmpfs, say) for the homes of enrolling devices and of fan-out's subscribers, standing for each device's own storage; removed at the end (under --work by default)" };

var root = new RootCommand("Ockam.NET load: edge nodes over loopback to a silo, beside Mosquitto")
{
    scenario, mode, subscribers, publications, enrolments, connections, mqttPort, mqttPid, siloDll, connect, connectIdentifier, connectGateway, connectService, connectPid, report, work, deviceHomes,
};
root.SetAction(async (result, cancellationToken) =>
{
    var chosenMode = result.GetValue(mode)!;
    if (chosenMode is not ("quick" or "default" or "long"))
    {
        await Console.Error.WriteLineAsync("--mode is quick, default or long").ConfigureAwait(false);
        return 2;
    }

    if (result.GetValue(subscribers) is < 1 || result.GetValue(publications) is < 1)
    {
        await Console.Error.WriteLineAsync("--subscribers and --publications are at least 1").ConfigureAwait(false);
        return 2;
    }

    var quick = chosenMode == "quick";
    var workDirectory = result.GetValue(work) ?? Path.Combine(Path.GetTempPath(), "ockam-load-" + Guid.NewGuid().ToString("N")[..8]);
    Directory.CreateDirectory(workDirectory);
    LoadSettings.Connection? connection = null;
    if (result.GetValue(connect) is { } edge)
    {
        if (result.GetValue(connectIdentifier) is not { } id || result.GetValue(connectGateway) is not { } gateway)
        {
            await Console.Error.WriteLineAsync("--connect needs --connect-identifier and --connect-gateway-port").ConfigureAwait(false);
            return 2;
        }

        connection = new LoadSettings.Connection(edge, id, gateway, result.GetValue(connectService)!, result.GetValue(connectPid));
    }

    var settings = new LoadSettings
    {
        WorkDirectory = workDirectory,
        DeviceHomes = result.GetValue(deviceHomes) is { } homes ? Path.Combine(homes, "ockam-load-" + Guid.NewGuid().ToString("N")[..8]) : null,
        SiloDll = result.GetValue(siloDll) ?? BuiltSilo(),
        Connect = connection,
        MqttPort = result.GetValue(mqttPort),
        MqttPid = result.GetValue(mqttPid),
        Mode = chosenMode,
        FanOutSubscribers = result.GetValue(subscribers) ?? (quick ? 100 : 1_000),
        GivenPublications = result.GetValue(publications),
        Enrolments = result.GetValue(enrolments) ?? (quick ? 2_000 : 10_000),
        Connections = result.GetValue(connections) ?? (quick ? 1_000 : 5_000),
    };
    if (connection is null && !File.Exists(settings.SiloDll))
    {
        await Console.Error.WriteLineAsync($"no silo at {settings.SiloDll}: build src/Ockam.Silo, or give --silo-dll").ConfigureAwait(false);
        return 2;
    }

    var results = new Results();
    var all = new Dictionary<string, Scenario>(StringComparer.Ordinal)
    {
        ["online"] = new OnlineScenario(settings, results),
        ["offline"] = new OfflineScenario(settings, results),
        ["cross"] = new CrossTrafficScenario(settings, results),
        ["fanout"] = new FanOutScenario(settings, results),
        ["enrol"] = new EnrolmentScenario(settings, results),
        ["connections"] = new ConnectionsScenario(settings, results),
        ["flood"] = new FloodScenario(settings, results),
        ["portal"] = new PortalScenario(settings, results),
    };

    // Not measured shapes of their own: the cross-traffic and flood shapes run them in another process.
    Dictionary<string, Scenario> internalOnly = new(StringComparer.Ordinal) { ["filler"] = new FillerScenario(settings, results), ["flooder"] = new FlooderScenario(settings, results) };
    if (settings.MqttPort is { } port)
    {
        all["mosquitto"] = new MosquittoScenario(settings, results, port, settings.MqttPid);
        all["mqtt"] = new MqttChannelScenario(settings, results, port);
    }

    var chosen = result.GetValue(scenario) is { Length: > 0 } names ? names : [.. all.Keys];
    if (chosen.FirstOrDefault(n => !all.ContainsKey(n) && !(internalOnly.ContainsKey(n) && connection is not null)) is { } unknown)
    {
        await Console.Error.WriteLineAsync($"no scenario '{unknown}' (or no --mqtt-port for mosquitto); there are: {string.Join(", ", all.Keys)}").ConfigureAwait(false);
        return 2;
    }

    try
    {
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                foreach (var name in chosen)
                {
                    var run = all.GetValueOrDefault(name) ?? internalOnly[name];
                    var task = progress.AddTask(run.Name, maxValue: 1.0);

                    // Every scenario bounds its own phases; this bounds the whole, set-up included, so that nothing hangs the run.
                    using var whole = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    whole.CancelAfter(settings.Bound(run.QuickBudget));
                    try
                    {
                        await run.RunAsync(p => task.Value = Math.Clamp(p, 0, 1), whole.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is OperationCanceledException or TimeoutException or InvalidOperationException or IOException or Ockam.Client.Edge.EdgeException
                        or Ockam.Messaging.SecureChannels.HandshakeException or Orleans.Runtime.OrleansException or MQTTnet.Exceptions.MqttCommunicationException)
                    {
                        results.Note($"{run.Name}: did not complete ({e.GetType().Name}: {e.Message.Split('\n')[0]})");
                    }

                    task.Value = 1.0;
                    task.StopTask();
                }
            }).ConfigureAwait(false);

        var table = results.ToMarkdown();
        Console.WriteLine();
        Console.WriteLine(table);
        if (result.GetValue(report) is { } path)
        {
            await File.WriteAllTextAsync(path, table, cancellationToken).ConfigureAwait(false);
        }
    }
    finally
    {
        // Also after a failure or Ctrl-C: the devices' homes may be on a tmpfs, holding memory until a reboot.
        foreach (var made in (string?[])[result.GetValue(work) is null ? workDirectory : null, settings.DeviceHomes])
        {
            if (made is null || !Directory.Exists(made))
            {
                continue;
            }

            try
            {
                Directory.Delete(made, recursive: true);
            }
            catch (IOException)
            {
                // Node homes still held by a node that did not stop in time; the temp directory is the system's to clean.
            }
        }
    }

    return 0;
});
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);

// The silo built with this tool (a project reference builds it): src/Ockam.Silo/bin/<configuration>/net10.0 of this checkout.
static string BuiltSilo()
{
    var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Release";
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        var candidate = Path.Combine(directory.FullName, "src", "Ockam.Silo", "bin", configuration, "net10.0", "Ockam.Silo.dll");
        if (File.Exists(candidate))
        {
            return candidate;
        }
    }

    return "Ockam.Silo.dll";
}
