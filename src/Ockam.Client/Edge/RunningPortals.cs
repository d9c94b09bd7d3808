using System.Text.Json;
using System.Text.Json.Serialization;
using Ockam.Identity.Files;

namespace Ockam.Client.Edge;

/// <summary>A portal a running node serves: an outlet (<see cref="Relay"/> → <see cref="Address"/>) or an inlet (<see cref="Address"/> → <see cref="Relay"/>).</summary>
public sealed record RunningPortal(string Kind, string Address, string Relay, string Allow);

/// <summary>
/// The portals the node running in a home serves, in <c>portals.json</c> there, so that <c>ockam status</c> (another
/// process) can list them. Written when one starts; emptied when the node opens and when it stops, so a file left by a
/// node that was killed is never read as running (<see cref="NodeStatus"/> reads it only while the home's lock is held).
/// </summary>
internal sealed class RunningPortals(string home) : IDisposable
{
    private const string FileName = "portals.json";
    private const int MaxSize = 1024 * 1024;
    private readonly List<RunningPortal> portals = [];
    private readonly SemaphoreSlim gate = new(1, 1);

    public async Task AddAsync(RunningPortal portal, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RunningPortal[] next = [.. portals, portal];
            await AtomicFile.WriteAsync(PathIn(home), JsonSerializer.SerializeToUtf8Bytes(next, RunningPortalsJson.Default.RunningPortalArray), cancellationToken).ConfigureAwait(false);
            portals.Add(portal);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Forgets every portal (the node opens, or stops).</summary>
    public static void Clear(string home) => File.Delete(PathIn(home));

    /// <summary>What the running node listed; nothing when the file is missing, too large or unreadable.</summary>
    public static IReadOnlyList<RunningPortal> Read(string home)
    {
        var path = PathIn(home);
        try
        {
            var info = new FileInfo(path);
            return info.Exists && info.Length <= MaxSize
                ? JsonSerializer.Deserialize(File.ReadAllBytes(path), RunningPortalsJson.Default.RunningPortalArray) ?? []
                : [];
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return [];
        }
    }

    public void Dispose() => gate.Dispose();

    private static string PathIn(string home) => Path.Combine(home, FileName);
}

[JsonSerializable(typeof(RunningPortal[]))]
internal sealed partial class RunningPortalsJson : JsonSerializerContext;
