using Ockam.Identity.Files;

namespace Ockam.Identity.Tests.Files;

/// <summary>What <see cref="AtomicFile"/> leaves on disk when it succeeds, refuses or is cancelled (its crashes: the client's CrashSafety tests).</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("ockam-atomic-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task A_write_into_directories_that_do_not_exist_yet_creates_them_and_leaves_only_an_owner_only_file()
    {
        var path = Path.Combine(root, "rooms", "ward", "state.bin");

        await AtomicFile.WriteAsync(path, new byte[] { 1, 2, 3 });
        await AtomicFile.WriteAsync(path, new byte[] { 4, 5 });

        Assert.Equal([4, 5], await File.ReadAllBytesAsync(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(AtomicFile.OwnerOnly, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task Create_keeps_the_first_file_and_leaves_no_temporary_file_behind()
    {
        var path = Path.Combine(root, "identity.cbor");

        Assert.True(await AtomicFile.CreateAsync(path, new byte[] { 1 }));
        Assert.False(await AtomicFile.CreateAsync(path, new byte[] { 2 }));

        Assert.Equal([1], await File.ReadAllBytesAsync(path));
        Assert.Equal([path], Directory.GetFiles(root));
    }

    [Fact]
    public async Task A_cancelled_write_fails_through_its_task_and_leaves_the_old_file()
    {
        var path = Path.Combine(root, "vault.cbor");
        await AtomicFile.WriteAsync(path, new byte[] { 1 });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var write = AtomicFile.WriteAsync(path, new byte[] { 2 }, cancelled.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
        Assert.True(write.IsCanceled);
        Assert.Equal([1], await File.ReadAllBytesAsync(path));
        Assert.Equal([path], Directory.GetFiles(root));
    }

    [Fact]
    public async Task A_write_that_cannot_replace_its_target_fails_and_leaves_no_temporary_file()
    {
        // A directory where the file should be: the rename over it fails after the temporary file was written.
        var path = Directory.CreateDirectory(Path.Combine(root, "credential.cbor")).FullName;

        await Assert.ThrowsAsync<IOException>(() => AtomicFile.WriteAsync(path, new byte[] { 1 }));

        Assert.Empty(Directory.GetFiles(root));
        Assert.Empty(Directory.GetFileSystemEntries(path));
    }
}
