using Microsoft.Extensions.Hosting;
using Ockam.Silo;

await SiloHost.Build(args).RunAsync();
