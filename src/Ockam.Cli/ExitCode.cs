namespace Ockam.Cli;

/// <summary>What the <c>ockam</c> tool's exit status means, for scripts.</summary>
internal static class ExitCode
{
    public const int Ok = 0;

    /// <summary>The command line was wrong (System.CommandLine's own code for parse errors).</summary>
    public const int Usage = 1;

    /// <summary>The silo answered and refused (bad, expired or used token, denied, unknown relay ...).</summary>
    public const int Refused = 2;

    /// <summary>The silo (or a relay's owner) could not be reached, or did not prove who it is.</summary>
    public const int Unreachable = 3;

    /// <summary>This node is not set up for that yet (no silo configured, not enrolled).</summary>
    public const int NotConfigured = 4;

    /// <summary>Another process runs this node home (one home, one node at a time).</summary>
    public const int InUse = 5;
}
