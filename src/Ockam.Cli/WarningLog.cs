using Microsoft.Extensions.Logging;

namespace Ockam.Cli;

/// <summary>
/// The edge node's warnings on standard error, a line each as the tool's errors are (<c>warning: …</c>): a node that
/// loses its silo and reconnects says so while it runs (<c>ockam node run</c>, a listener), and a quiet run prints
/// nothing. What the node logs carries no key, token or payload.
/// </summary>
internal sealed class WarningLog : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Writer();

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("the tool's log writes to standard error only");

    public void Dispose()
    {
    }

    private sealed class Writer : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Console.Error.WriteLine($"{(logLevel >= LogLevel.Error ? "error" : "warning")}: {formatter(state, exception)}");
            }
        }
    }
}
