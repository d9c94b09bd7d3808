using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ockam.Silo.Tests.Support;

/// <summary>Every log line a host writes (at the levels its filters let through), formatted as its console would show the message.</summary>
internal sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<string> lines = new();

    public IReadOnlyCollection<string> Lines => lines;

    public ILogger CreateLogger(string categoryName) => new Recording(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Recording(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel}: {category}: {formatter(state, exception)} {exception}");
    }
}
