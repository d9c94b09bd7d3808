using Microsoft.Extensions.Hosting;

namespace Ockam.Silo;

/// <summary>Builds the Ockam silo host: an Orleans silo on localhost (embedded default).</summary>
internal static class SiloHost
{
    public static IHost Build(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.UseOrleans(silo => silo.UseLocalhostClustering());
        return builder.Build();
    }
}
