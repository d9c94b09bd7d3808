namespace Ockam.Client.Edge;

/// <summary>
/// Held for a node's lifetime: <c>node.lock</c> in its home, open with <see cref="FileShare.None"/> (an exclusive
/// lock the operating system drops when the process dies). Two processes of one home would each resume rooms from
/// the same progress and could both send the same generation under one key, and overwrite each other's files.
/// <see cref="EdgeNode"/> holds it while open; a tool that writes a home without opening a node (creating its identity)
/// holds it for the write.
/// </summary>
public sealed class NodeHomeLock : IDisposable
{
    private const string FileName = "node.lock";

    private readonly FileStream file;

    private NodeHomeLock(FileStream file) => this.file = file;

    /// <summary>Takes the lock of the node home <paramref name="home"/> (created if missing).</summary>
    /// <exception cref="NodeHomeInUseException">Another process holds the lock.</exception>
    public static NodeHomeLock Acquire(string home)
    {
        Directory.CreateDirectory(home);
        try
        {
            return new NodeHomeLock(new FileStream(Path.Combine(home, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            throw new NodeHomeInUseException(home);
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => file.Dispose();
}
