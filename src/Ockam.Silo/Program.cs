using Microsoft.Extensions.Hosting;
using Ockam.Silo;
using Ockam.Silo.Configuration;

// SQLite's driver (ours and Orleans' grain storage alike) does its work synchronously beneath its async methods, so a
// busy database holds pool threads while it writes; the pool starts with one thread per core (two here) and adds more
// only slowly. Measured on 2 cores with one relay filling: another pair's round trip p50 37–43 ms with the default,
// 21–30 ms with 8 (bench/Ockam.Load cross). Never below the runtime's own default on larger machines.
ThreadPool.GetMinThreads(out var workers, out var completionPorts);
ThreadPool.SetMinThreads(Math.Max(workers, 8), completionPorts);

IHost host;
try
{
    host = await SiloHost.BuildAsync(args);
}
catch (SiloConfigurationException e)
{
    // An operator's mistake gets one line that names the option, not a stack trace.
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 2;
}

using (host)
{
    await host.RunAsync();
}

return 0;
