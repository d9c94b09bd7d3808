using Microsoft.Extensions.Hosting;
using Ockam.Silo;

using var host = await SiloHost.BuildAsync(args);
await host.RunAsync();
