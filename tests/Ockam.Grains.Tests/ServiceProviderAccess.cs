using Orleans.TestingHost;

namespace Ockam.Grains.Tests;

internal static class ServiceProviderAccess
{
    /// <summary>The services of an in-process silo.</summary>
    public static IServiceProvider? ServiceProvider(this SiloHandle silo) => (silo as InProcessSiloHandle)?.SiloHost.Services;
}
