using System.Diagnostics;

namespace Ockam.Testing;

/// <summary>
/// A PostgreSQL server of a test's own (initdb in a temporary directory, a free loopback port), which the test may
/// stop and start again: for outages, which the shared server test.sh starts must never have. Run as the unprivileged
/// user test.sh names (OCKAM_TEST_PG_USER) when the tests run as root, as initdb and postgres refuse root.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);
    private readonly string bin;
    private readonly string? user;
    private readonly TempDirectory directory = new();
    private readonly int port = RunningSilo.FreePort();

    private PostgresServer(string bin, string? user) => (this.bin, this.user) = (bin, user);

    public string ConnectionString => $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=5";

    private string Data => Path.Combine(directory.Path, "data");

    /// <summary>initdb and start; fails, saying why, without PostgreSQL's binaries (test.sh installs them).</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable("OCKAM_TEST_PG_BIN")
            ?? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(Directory.Exists).Order(StringComparer.Ordinal).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL's binaries are not installed: run the tests with ./test.sh, which installs them");
        var user = Environment.UserName == "root" ? Environment.GetEnvironmentVariable("OCKAM_TEST_PG_USER") ?? "ockam-test" : null;
        var server = new PostgresServer(bin, user);
        try
        {
            if (user is not null)
            {
                await RunAsync("chown", user, server.directory.Path);
            }

            await server.PgAsync("initdb", "-D", server.Data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale");
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            server.directory.Dispose();
            throw;
        }
    }

    /// <summary>Stops the server as an operator would (<c>pg_ctl stop -m fast</c>: open connections are cut).</summary>
    public Task StopAsync() => PgAsync("pg_ctl", "-D", Data, "-m", "fast", "-w", "stop");

    public Task StartAgainAsync() =>
        PgAsync("pg_ctl", "-D", Data, "-l", Path.Combine(directory.Path, "log"), "-w", "-o", $"-p {port} -k {directory.Path} -c listen_addresses=127.0.0.1", "start");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgAsync("pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        directory.Dispose();
    }

    private Task PgAsync(string program, params string[] args) =>
        user is null ? RunAsync(Path.Combine(bin, program), args) : RunAsync("runuser", ["-u", user, "--", Path.Combine(bin, program), .. args]);

    private static async Task RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(CommandTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {await error}{await output}");
        }
    }
}
