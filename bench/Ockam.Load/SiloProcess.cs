using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ockam.Identity.Identities;

namespace Ockam.Load;

/// <summary>
/// The silo under load: a child process of its own (so that its CPU time is the silo's alone) on loopback ports, with a
/// fresh data directory, or one already running; and an Orleans client to it for operator work (enrolment tokens, a
/// relay's depth), which edge nodes cannot do.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    /// <summary>The Orleans service and cluster id of a silo this tool starts.</summary>
    private const string StartedServiceId = "ockam-load";

    private readonly Process? process;
    private readonly IHost client;
    private readonly string? dataDirectory;
    private readonly Banner? banner;

    private SiloProcess(Process? process, IHost client, string? dataDirectory, string edge, Identifier identifier, int gatewayPort, string serviceId, Banner? banner = null)
    {
        this.banner = banner;
        this.process = process;
        this.client = client;
        this.dataDirectory = dataDirectory;
        Edge = edge;
        Identifier = identifier;
        GatewayPort = gatewayPort;
        ServiceId = serviceId;
    }

    /// <summary>The edge gateway, host:port.</summary>
    public string Edge { get; }

    /// <summary>Its Orleans gateway's loopback port, and its service (and cluster) id: what another tool process connects with.</summary>
    public int GatewayPort { get; }

    public string ServiceId { get; }

    public Identifier Identifier { get; }

    public IGrainFactory Grains => client.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The silo's process id, or null when the tool connected to a silo it did not start and was given no pid.</summary>
    public int? Pid => process?.Id;

    /// <summary>The silo process's resident memory (VmRSS) now, or null as for <see cref="Pid"/>.</summary>
    public long? ResidentBytes => Sample(p => p.WorkingSet64);

    /// <summary>The silo process's CPU time so far, or null when the tool connected to a silo it did not start and was given no pid.</summary>
    public TimeSpan? CpuTime => Sample(p => p.TotalProcessorTime);

    /// <summary>
    /// Starts <paramref name="siloDll"/> with a fresh data directory under <paramref name="workDirectory"/>. Per-channel
    /// request rates are lifted (one monitor here sends more than a device's 1 000/s), relays may hold
    /// <paramref name="mailboxCapacity"/>, and the Orleans gateway is open (on loopback, without cluster TLS) to this tool.
    /// </summary>
    /// <param name="productionRates">Keep the gateway's default per-identity rates (the flood scenario measures them).</param>
    public static async Task<SiloProcess> StartAsync(string siloDll, string workDirectory, int mailboxCapacity, CancellationToken cancellationToken, bool productionRates = false)
    {
        var data = Path.Combine(workDirectory, "silo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(data);
        var gatewayPort = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(siloDll)!,
        };
        string[] args =
        [
            siloDll, "--data", data, "--storage", "Sqlite", "--clustering", "Localhost",
            "--silo-port", FreePort().ToString(CultureInfo.InvariantCulture), "--gateway-port", gatewayPort.ToString(CultureInfo.InvariantCulture),
            "--edge-address", "127.0.0.1", "--edge-port", "0", "--telemetry", "None", "--service-id", StartedServiceId, "--cluster-id", StartedServiceId,

            // Localhost clustering binds the Orleans gateway (opened for this tool's client) to loopback only.
            "--cluster-tls", "false",
            "--Ockam:Relay:MailboxCapacity", mailboxCapacity.ToString(CultureInfo.InvariantCulture),
            "--Logging:LogLevel:Default", "Warning",
            .. productionRates ? Array.Empty<string>() : ["--Ockam:Gateway:RequestsPerSecond", "10000000", "--Ockam:Gateway:RequestBurst", "10000000", "--Ockam:Gateway:StoredRelayedPerSecond", "10000000", "--Ockam:Gateway:StoredRelayedBurst", "10000000"],
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("the silo did not start");
        // Kept after the run, beside the data directory (which is deleted): the silo's warnings explain a bad figure.
        var banner = new Banner(data + ".log");
        process.OutputDataReceived += (_, e) => banner.Line(e.Data);
        process.ErrorDataReceived += (_, e) => banner.Line(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            var (edge, identifier) = await banner.Ready.WaitAsync(timeout.Token).ConfigureAwait(false);
            var client = await ConnectClientAsync(gatewayPort, StartedServiceId, timeout.Token).ConfigureAwait(false);
            return new SiloProcess(process, client, data, edge, identifier, gatewayPort, StartedServiceId, banner);
        }
        catch (Exception e)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            process.Dispose();
            banner.Dispose();
            throw new InvalidOperationException("the silo did not come up: " + banner.Tail, e);
        }
    }

    /// <summary>A silo already running: its edge gateway, identifier and Orleans gateway port (and its pid, for CPU time).</summary>
    public static async Task<SiloProcess> ConnectAsync(string edge, Identifier identifier, int gatewayPort, string serviceId, int? pid, CancellationToken cancellationToken)
    {
        var client = await ConnectClientAsync(gatewayPort, serviceId, cancellationToken).ConfigureAwait(false);
        return new SiloProcess(pid is { } id ? Process.GetProcessById(id) : null, client, null, edge, identifier, gatewayPort, serviceId);
    }

    private static async Task<IHost> ConnectClientAsync(int gatewayPort, string serviceId, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleansClient(c => c.UseLocalhostClustering(gatewayPort, serviceId, serviceId));
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await client.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The silo may be the reason it cannot stop politely; it is killed next anyway.
        }

        client.Dispose();
        if (process is not null && dataDirectory is not null)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            process.Dispose();
            banner?.Dispose();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A throwaway directory under the run's own temp directory, which run.sh removes.
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Reads the silo's start-up banner for its identity and edge endpoint, keeping the last lines for a failure report
    /// and every line in <paramref name="logPath"/>.
    /// </summary>
    private sealed class Banner(string logPath) : IDisposable
    {
        private readonly TaskCompletionSource<(string, Identifier)> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Queue<string> tail = new();
        private readonly StreamWriter log = new(logPath) { AutoFlush = true };
        private bool ended;
        private Identifier? identifier;

        public Task<(string Edge, Identifier Identifier)> Ready => ready.Task;

        public string Tail
        {
            get
            {
                lock (tail)
                {
                    return string.Join(Environment.NewLine, tail);
                }
            }
        }

        public void Dispose()
        {
            lock (tail)
            {
                ended = true;
                log.Dispose();
            }
        }

        public void Line(string? line)
        {
            if (line is null)
            {
                // Standard output and standard error each end once; the log closes at the first end, for good.
                Dispose();
                ready.TrySetException(new InvalidOperationException("the silo exited"));
                return;
            }

            lock (tail)
            {
                if (!ended)
                {
                    log.WriteLine(line);
                }

                tail.Enqueue(line);
                if (tail.Count > 40)
                {
                    tail.Dequeue();
                }
            }

            if (line.StartsWith("silo identity:", StringComparison.Ordinal))
            {
                identifier = Identifier.Parse(line["silo identity:".Length..].Trim());
            }
            else if (line.StartsWith("edge gateway:", StringComparison.Ordinal) && identifier is { } id)
            {
                ready.TrySetResult((line["edge gateway:".Length..].Trim().Replace("tcp ", "", StringComparison.Ordinal), id));
            }
        }
    }

    /// <summary>A fresh reading of the silo process, or null when there is no process to read or it has exited.</summary>
    private T? Sample<T>(Func<Process, T> read)
        where T : struct
    {
        if (process is null)
        {
            return null;
        }

        process.Refresh();
        return process.HasExited ? null : read(process);
    }
}
