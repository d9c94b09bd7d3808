using System.Buffers;
using System.Security.Cryptography;

namespace Ockam.Identity.Files;

/// <summary>
/// The one way a node writes what it keeps (vault, identities, credential, known peers, room progress): a reader
/// finds the old file or the new one, never a torn one; the new one is on disk before it replaces the old, and on
/// Linux the directory is flushed after the rename, so the replacement itself survives a crash.
/// </summary>
public static class AtomicFile
{
    /// <summary>Owner read and write only, from the moment the file exists.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A temporary file is <c>.&lt;name&gt;.&lt;16 hex digits&gt;.tmp</c>: hidden, and named so that no reader takes it for the file.</summary>
    private const string TemporarySuffix = ".tmp";

    private const int TemporaryTagSize = 8;

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    /// <summary>Writes a sibling temporary file (owner-only from creation), flushes it to disk, renames it over <paramref name="path"/>, then flushes the directory.</summary>
    public static Task WriteAsync(string path, ReadOnlyMemory<byte> contents, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(path, contents, overwrite: true, cancellationToken);

    /// <summary>
    /// As <see cref="WriteAsync"/>, but never replaces a file: false when <paramref name="path"/> already exists (two
    /// processes creating the same file at once both end up with the first one's).
    /// </summary>
    public static Task<bool> CreateAsync(string path, ReadOnlyMemory<byte> contents, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(path, contents, overwrite: false, cancellationToken);

    /// <summary>
    /// Deletes the temporary files that writes cut short by a crash left in <paramref name="directory"/> (its own files
    /// only, not its subdirectories'). Nothing reads them, but one may hold what was deleted since: a vault's old keys, a
    /// room's used epoch. Only for a directory in which no other process writes meanwhile (a node's home, under its
    /// lock): a write in flight there would lose its temporary file and fail.
    /// </summary>
    internal static void DeleteLeftovers(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(directory, ".*" + TemporarySuffix))
        {
            if (IsTemporaryName(Path.GetFileName(file)))
            {
                File.Delete(file);
            }
        }
    }

    private static Task<bool> WriteCoreAsync(string path, ReadOnlyMemory<byte> contents, bool overwrite, CancellationToken cancellationToken)
    {
        // Synchronous on purpose: the flushes block the thread whatever the API (fsync has no asynchronous form), and an
        // asynchronous file stream on Unix would only add a hop through the thread pool and a buffer for a few
        // kilobytes written once. Cancellation and failures still reach the caller through the task.
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        try
        {
            return Task.FromResult(Write(path, contents.Span, overwrite));
        }
        catch (Exception e)
        {
            return Task.FromException<bool>(e);
        }
    }

    private static bool Write(string path, ReadOnlySpan<byte> contents, bool overwrite)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(TemporaryTagSize))}{TemporarySuffix}");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,

            // Nobody else opens a file by its random temporary name; on Linux, None also spares the probe of the file
            // system that a shared lock on a file open for writing costs.
            Share = FileShare.None,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        try
        {
            FileStream stream;
            try
            {
                stream = new FileStream(temporary, options);
            }
            catch (DirectoryNotFoundException)
            {
                // Only a first write into a directory pays for creating it.
                Directory.CreateDirectory(directory);
                stream = new FileStream(temporary, options);
            }

            using (stream)
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            // The one place a file is renamed over another: this is the writer the ban on File.Move points to.
#pragma warning disable RS0030
            File.Move(temporary, path, overwrite);
#pragma warning restore RS0030
        }
        catch (IOException) when (!overwrite && File.Exists(path))
        {
            File.Delete(temporary);
            return false;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        // Without this a crash after the rename can bring the old file back: whatever it recorded as used
        // (a sending generation) would then be used again. Outside the clean-up: the file is in place, and a failed
        // flush is the caller's to hear of, not an "exists".
        DirectorySync.Flush(directory);
        return true;
    }

    private static bool IsTemporaryName(string name)
    {
        // "." + at least one character of the file's name + "." + the tag in lowercase hex + ".tmp"
        var tagStart = name.Length - TemporarySuffix.Length - (2 * TemporaryTagSize);
        return tagStart >= 3
            && name[0] == '.'
            && name[tagStart - 1] == '.'
            && name.EndsWith(TemporarySuffix, StringComparison.Ordinal)
            && !name.AsSpan(tagStart, 2 * TemporaryTagSize).ContainsAnyExcept(LowerHex);
    }
}
