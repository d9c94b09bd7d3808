using System.Collections.Concurrent;

namespace Ockam.Silo.Storage;

/// <summary>
/// The silo's write turns, one per SQLite file (by full path): the row stores and Orleans' grain storage each open the
/// file on their own, and each asks here for its turn. One instance per silo host, from its services.
/// </summary>
internal sealed class SqliteWriteGates
{
    private readonly ConcurrentDictionary<string, SqliteWriteGate> gates = new(StringComparer.Ordinal);

    public SqliteWriteGate For(string path) => gates.GetOrAdd(Path.GetFullPath(path), _ => new SqliteWriteGate());
}
