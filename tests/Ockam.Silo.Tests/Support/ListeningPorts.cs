using System.Globalization;

namespace Ockam.Silo.Tests.Support;

/// <summary>
/// The TCP ports this process listens on (Linux: the listening sockets of /proc/net/tcp{,6} whose inodes are among
/// this process's file descriptors). Tests that use it run alone (<see cref="RunsAlone"/>), so that no
/// other test's silo adds ports meanwhile.
/// </summary>
internal static class ListeningPorts
{
    private const string Listen = "0A";

    public static IReadOnlySet<int> OfThisProcess()
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target["socket:[".Length..^1]);
                }
            }
            catch (IOException)
            {
                // The descriptor closed while enumerating.
            }
        }

        var ports = new HashSet<int>();
        foreach (var table in new[] { "/proc/self/net/tcp", "/proc/self/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[3] == Listen && inodes.Contains(fields[9]))
                {
                    ports.Add(int.Parse(fields[1][(fields[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
        }

        return ports;
    }
}

/// <summary>
/// Runs its tests with no other test running, so that what the process holds in common is theirs alone: its listening
/// ports, and its meters (a meter of a given name is one instrument to a listener, whichever silo of the process counts).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
