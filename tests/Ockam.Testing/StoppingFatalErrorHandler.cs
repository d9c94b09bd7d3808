using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ockam.Testing;

/// <summary>
/// Ends only the silo it belongs to on a fatal error. Orleans' own handler ends the process (<c>Environment.FailFast</c>),
/// which in a test host holding several silos, and every other test, ends the whole run: a silo another test's cluster
/// declared dead (a stranger that tried to join, one starved on a loaded machine) took every later test of its project
/// with it in one CI run. The test that owns the silo still fails on its own account, since the silo stops.
/// </summary>
internal sealed partial class StoppingFatalErrorHandler(IHostApplicationLifetime lifetime, ILogger<StoppingFatalErrorHandler> logger) : IFatalErrorHandler
{
    public bool IsUnexpected(Exception exception) => true;

    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        LogFatal(logger, exception, context);
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "fatal error in the silo, which stops: {Context}")]
    private static partial void LogFatal(ILogger logger, Exception? exception, string? context);
}
