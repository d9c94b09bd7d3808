using Microsoft.Extensions.Logging;

namespace Ockam.Cli;

/// <summary>
/// The edge node's warnings on standard error, a line each as the tool's errors are (<c>warning: …</c>): a node that
/// loses its silo and reconnects says so while it runs (<c>ockam node run</c>, a listener), and a quiet run prints
/// nothing. What the node logs carries no key, token or payload.
/// </summary>
internal sealed class WarningLog(TextWriter error) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Writer(error);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("the tool's log writes to standard error only");

    public void Dispose()
    {
    }

    private sealed class Writer(TextWriter error) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                // Escaped: a message may quote what the silo or a peer said (an error, a close reason), which must not
                // drive the terminal.
                error.WriteLine($"{(logLevel >= LogLevel.Error ? "error" : "warning")}: {TerminalText.Escape(formatter(state, exception))}");
            }
        }
    }
}
