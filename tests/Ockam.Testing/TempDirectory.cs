namespace Ockam.Testing;

internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ockam-silo-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
