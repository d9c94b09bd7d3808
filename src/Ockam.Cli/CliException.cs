namespace Ockam.Cli;

/// <summary>A failure the tool explains in one line and exits with <see cref="ExitCode"/>.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
