using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Ockam.Client.Tests.Support;

/// <summary>
/// Loggers that write to the test's output, each line with its time on the test's clock and the name of whose it is
/// (an edge node's, for one): what a node said of its connection shows beside the test's own account of a failure.
/// </summary>
internal sealed class OutputLoggers(string name, ITestOutputHelper output, Stopwatch clock, LogLevel minimum = LogLevel.Information) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new OutputLogger(this);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private bool Enabled(LogLevel level) => level >= minimum;

    private void Write(LogLevel level, string message)
    {
        try
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:F1} s: {name}: {level}: {message}"));
        }
        catch (InvalidOperationException)
        {
            // The test has ended (a node disposed after it): nowhere to write.
        }
    }

    private sealed class OutputLogger(OutputLoggers owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => owner.Enabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write(logLevel, formatter(state, exception));
            }
        }
    }
}
