using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ockam.Identity.Tests.Mls.Interop;

/// <summary>
/// A live ts-mls 1.6.4 peer for MLS interop tests: <c>node tests/interop/ts-mls/driver.mjs</c>, spoken to in
/// JSON lines (protocol in that folder's README.md). Each call is answered in order; one that takes longer
/// than <see cref="CallTimeout"/> fails with the driver's stderr, and so does a driver that dies.
/// </summary>
/// <remarks>
/// A missing <c>node_modules</c> is an error, not a skip: an interop test that quietly does nothing would
/// look like interop that works.
/// </remarks>
internal sealed class TsMlsPeer : IAsyncDisposable
{
    public const string InstallHint = "run ./test.sh (npm ci in tests/interop/ts-mls)";

    /// <summary>Long enough for a cold Node start plus a commit on a slow CI machine, short enough to fail a hung test.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private const int StderrKeptChars = 16_384;

    private readonly Process _process;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly StringBuilder _stderr = new();
    private long _nextId;
    private string? _broken;

    private TsMlsPeer(Process process)
    {
        _process = process;
    }

    /// <summary>The ts-mls version the driver reported on start.</summary>
    public string TsMlsVersion { get; private set; } = "";

    /// <summary>Finds the driver by walking up from the test's base directory to the folder holding Ockam.sln.</summary>
    public static string DriverDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ockam.sln")))
            {
                return Path.Combine(directory.FullName, "tests", "interop", "ts-mls");
            }
        }

        throw new InvalidOperationException($"no Ockam.sln above {AppContext.BaseDirectory}, so the ts-mls driver cannot be found");
    }

    public static Task<TsMlsPeer> StartAsync(CancellationToken cancellationToken) => StartAsync(DriverDirectory(), cancellationToken);

    public static async Task<TsMlsPeer> StartAsync(string driverDirectory, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(driverDirectory, "driver.mjs")))
        {
            throw new InvalidOperationException($"no driver.mjs in {driverDirectory}");
        }

        if (!Directory.Exists(Path.Combine(driverDirectory, "node_modules", "ts-mls")))
        {
            throw new InvalidOperationException($"ts-mls is not installed in {Path.Combine(driverDirectory, "node_modules")}: {InstallHint}");
        }

        var start = new ProcessStartInfo("node", "driver.mjs")
        {
            WorkingDirectory = driverDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // No BOM: the driver parses each line as JSON, and a BOM would make the first request invalid.
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardErrorEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run node ({e.Message}): {InstallHint}", e);
        }

        var peer = new TsMlsPeer(process);
        process.ErrorDataReceived += (_, e) => peer.KeepStderr(e.Data);
        process.BeginErrorReadLine();
        process.StandardInput.AutoFlush = true;
        try
        {
            // The driver writes one "ready" line once ts-mls and the ciphersuite are loaded; a broken
            // install (missing @noble/hashes, say) dies here, with its import error on stderr.
            var ready = await peer.ReadResponseAsync("start", cancellationToken).ConfigureAwait(false);
            if (!ready.TryGetProperty("ready", out var flag) || !flag.GetBoolean())
            {
                throw new InvalidOperationException($"ts-mls driver's first line was not 'ready': {ready}");
            }

            peer.TsMlsVersion = ready.GetProperty("ts_mls").GetString() ?? "";
            return peer;
        }
        catch
        {
            await peer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends one request and returns its response's fields. A driver answer of <c>ok: false</c> is a
    /// <see cref="TsMlsRefusedException"/> (ts-mls said no: the peer is still usable); anything else going wrong
    /// (timeout, a dead driver, a garbled line) is an <see cref="InvalidOperationException"/> and breaks the peer.
    /// </summary>
    public async Task<JsonElement> CallAsync(string op, JsonObject fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_broken is not null)
            {
                throw new InvalidOperationException($"ts-mls driver is unusable after an earlier failure: {_broken}");
            }

            var id = ++_nextId;
            var request = new JsonObject { ["id"] = id, ["op"] = op };
            foreach (var (key, value) in fields)
            {
                request[key] = value?.DeepClone();
            }

            try
            {
                await _process.StandardInput.WriteLineAsync(request.ToJsonString().AsMemory(), cancellationToken).ConfigureAwait(false);
                var response = await ReadResponseAsync(op, cancellationToken).ConfigureAwait(false);
                if (!response.TryGetProperty("id", out var echoed) || echoed.ValueKind != JsonValueKind.Number || echoed.GetInt64() != id)
                {
                    throw new InvalidOperationException($"ts-mls driver answered '{op}' (id {id}) out of order: {response}");
                }

                if (!response.GetProperty("ok").GetBoolean())
                {
                    throw new TsMlsRefusedException(op, response.GetProperty("error").GetString() ?? "(no error text)");
                }

                return response;
            }
            catch (IOException e)
            {
                // Writing to a driver that has died: its stderr says why.
                _broken = $"ts-mls driver's input closed during '{op}' ({e.Message}); stderr:\n{Stderr()}";
                throw new InvalidOperationException(_broken, e);
            }
            catch (Exception e) when (e is not TsMlsRefusedException)
            {
                // A request whose answer was not read leaves the line stream out of step: no later call
                // could tell its answer from this one's.
                _broken = e.Message;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A new client with a basic credential for <paramref name="identity"/>; returns its KeyPackage as an MLSMessage.</summary>
    /// <param name="grease">Which RFC 9420 §13.5 GREASE values its capabilities list (ts-mls by itself picks at random).</param>
    public async Task<byte[]> NewClientAsync(string name, byte[] identity, CancellationToken cancellationToken, TsMlsGrease grease = TsMlsGrease.Random)
    {
        var mode = grease switch
        {
            TsMlsGrease.Random => "random",
            TsMlsGrease.None => "none",
            TsMlsGrease.All => "all",
            _ => throw new ArgumentOutOfRangeException(nameof(grease)),
        };
        var r = await CallAsync(
            "new_client",
            new JsonObject { ["name"] = name, ["identity_hex"] = Hex(identity), ["grease"] = mode },
            cancellationToken).ConfigureAwait(false);
        return Bytes(r, "key_package");
    }

    public async Task<ulong> CreateGroupAsync(string name, byte[] groupId, CancellationToken cancellationToken)
    {
        var r = await CallAsync("create_group", new JsonObject { ["name"] = name, ["group_id_hex"] = Hex(groupId) }, cancellationToken).ConfigureAwait(false);
        return r.GetProperty("epoch").GetUInt64();
    }

    /// <summary>Adds the member of <paramref name="keyPackage"/> (an MLSMessage) and merges the commit.</summary>
    /// <param name="ratchetTreeExtension">Whether the Welcome's GroupInfo carries the tree (ts-mls's default: no).</param>
    /// <param name="publicMessage">Send the Commit as a PublicMessage rather than a PrivateMessage.</param>
    public async Task<TsMlsAdd> AddAsync(
        string name, byte[] keyPackage, CancellationToken cancellationToken, bool ratchetTreeExtension = false, bool publicMessage = false)
    {
        var r = await CallAsync(
            "add",
            new JsonObject
            {
                ["name"] = name,
                ["key_package"] = Hex(keyPackage),
                ["ratchet_tree_extension"] = ratchetTreeExtension,
                ["public_message"] = publicMessage,
            },
            cancellationToken).ConfigureAwait(false);
        return new TsMlsAdd(Bytes(r, "commit"), Bytes(r, "welcome"), Bytes(r, "ratchet_tree"), r.GetProperty("epoch").GetUInt64());
    }

    /// <summary>Joins from a Welcome; an empty <paramref name="ratchetTree"/> means "take it from the Welcome's extension".</summary>
    public async Task<(ulong Epoch, uint LeafIndex)> JoinAsync(string name, byte[] welcome, byte[] ratchetTree, CancellationToken cancellationToken)
    {
        var r = await CallAsync(
            "join",
            new JsonObject { ["name"] = name, ["welcome"] = Hex(welcome), ["ratchet_tree"] = Hex(ratchetTree) },
            cancellationToken).ConfigureAwait(false);
        return (r.GetProperty("epoch").GetUInt64(), r.GetProperty("leaf_index").GetUInt32());
    }

    /// <summary>Commits an UpdatePath with no proposals, and merges it.</summary>
    public async Task<TsMlsCommit> UpdateAsync(string name, CancellationToken cancellationToken, bool publicMessage = false)
    {
        var r = await CallAsync("update", new JsonObject { ["name"] = name, ["public_message"] = publicMessage }, cancellationToken).ConfigureAwait(false);
        return new TsMlsCommit(Bytes(r, "commit"), r.GetProperty("epoch").GetUInt64());
    }

    /// <summary>Commits a Remove of <paramref name="leafIndex"/> (with the UpdatePath ts-mls adds), and merges it.</summary>
    public async Task<TsMlsCommit> RemoveAsync(string name, uint leafIndex, CancellationToken cancellationToken, bool publicMessage = false)
    {
        var r = await CallAsync(
            "remove",
            new JsonObject { ["name"] = name, ["leaf_index"] = leafIndex, ["public_message"] = publicMessage },
            cancellationToken).ConfigureAwait(false);
        return new TsMlsCommit(Bytes(r, "commit"), r.GetProperty("epoch").GetUInt64());
    }

    /// <summary>An application message as an MLSMessage (private message).</summary>
    public async Task<byte[]> SendAsync(string name, byte[] plaintext, CancellationToken cancellationToken)
    {
        var r = await CallAsync("send", new JsonObject { ["name"] = name, ["plaintext_hex"] = Hex(plaintext) }, cancellationToken).ConfigureAwait(false);
        return Bytes(r, "message");
    }

    /// <summary>Processes an MLSMessage; a message ts-mls refuses is a <see cref="TsMlsRefusedException"/>.</summary>
    public async Task<TsMlsProcessed> ProcessAsync(string name, byte[] message, CancellationToken cancellationToken)
    {
        var r = await CallAsync("process", new JsonObject { ["name"] = name, ["message"] = Hex(message) }, cancellationToken).ConfigureAwait(false);
        return r.GetProperty("kind").GetString() switch
        {
            "application" => new TsMlsProcessed(TsMlsProcessedKind.Application, Bytes(r, "plaintext"), null, false),
            "commit" => new TsMlsProcessed(TsMlsProcessedKind.Commit, null, r.GetProperty("epoch").GetUInt64(), r.GetProperty("removed").GetBoolean()),
            var other => throw new InvalidOperationException($"ts-mls driver: unknown process kind '{other}'"),
        };
    }

    public async Task<TsMlsGroupState> StateAsync(string name, CancellationToken cancellationToken)
    {
        var r = await CallAsync("state", new JsonObject { ["name"] = name }, cancellationToken).ConfigureAwait(false);
        var members = r.GetProperty("members").EnumerateArray()
            .Select(m => new TsMlsMember(
                m.GetProperty("leaf_index").GetUInt32(),
                m.GetProperty("credential_type").GetString() ?? "",
                m.GetProperty("identity").ValueKind == JsonValueKind.String ? Bytes(m, "identity") : null,
                Bytes(m, "signature_key")))
            .ToArray();
        return new TsMlsGroupState(
            Bytes(r, "group_id"),
            r.GetProperty("epoch").GetUInt64(),
            r.GetProperty("own_leaf_index").GetUInt32(),
            r.GetProperty("active").GetString() ?? "",
            members,
            Bytes(r, "epoch_authenticator"),
            Bytes(r, "tree_hash"),
            Bytes(r, "confirmed_transcript_hash"),
            Bytes(r, "ratchet_tree"));
    }

    /// <summary>MLS-Exporter(label, context, length) of the member's current epoch (RFC 9420 §8.5).</summary>
    public async Task<byte[]> ExportAsync(string name, string label, byte[] context, int length, CancellationToken cancellationToken)
    {
        var r = await CallAsync(
            "export",
            new JsonObject { ["name"] = name, ["label"] = label, ["context_hex"] = Hex(context), ["length"] = length },
            cancellationToken).ConfigureAwait(false);
        return Bytes(r, "secret");
    }

    public async ValueTask DisposeAsync()
    {
        // Closing stdin is the driver's signal to exit; a driver that does not is killed.
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone: nothing to tell it.
        }

        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        _process.Dispose();
        _gate.Dispose();
    }

    private async Task<JsonElement> ReadResponseAsync(string op, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CallTimeout);
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"ts-mls driver did not answer '{op}' within {CallTimeout.TotalSeconds:0} s; stderr:\n{Stderr()}");
        }

        if (line is null)
        {
            // Let the exit code and the last stderr lines arrive before reporting them.
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Still running with stdout closed: report what there is.
            }

            var code = _process.HasExited ? _process.ExitCode.ToString(CultureInfo.InvariantCulture) : "still running";
            throw new InvalidOperationException($"ts-mls driver closed its output during '{op}' (exit code {code}); stderr:\n{Stderr()}");
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"ts-mls driver wrote a line that is not JSON during '{op}': {line}; stderr:\n{Stderr()}", e);
        }
    }

    private void KeepStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.AppendLine(line);
            // Only the tail matters for a diagnosis, and a chatty driver must not grow without bound.
            if (_stderr.Length > StderrKeptChars)
            {
                _stderr.Remove(0, _stderr.Length - StderrKeptChars);
            }
        }
    }

    private string Stderr()
    {
        lock (_stderr)
        {
            return _stderr.Length == 0 ? "(empty)" : _stderr.ToString();
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] Bytes(JsonElement element, string property) =>
        Convert.FromHexString(element.GetProperty(property).GetString() ?? throw new InvalidOperationException($"'{property}' is null"));
}

/// <summary>ts-mls refused a request (<c>ok: false</c>): the error text is ts-mls's own, and the peer stays usable.</summary>
internal sealed class TsMlsRefusedException(string op, string error)
    : Exception($"ts-mls refused '{op}': {error}")
{
    public string Op { get; } = op;

    public string Error { get; } = error;
}

/// <summary>Which GREASE values (RFC 9420 §13.5) a ts-mls client's capabilities carry.</summary>
public enum TsMlsGrease
{
    /// <summary>ts-mls's own behaviour: each of the 15 values in each list with probability 0.1.</summary>
    Random,

    /// <summary>None: the key package is the same shape every run.</summary>
    None,

    /// <summary>All 15 values in every list (ciphersuites, credentials, extensions, proposals).</summary>
    All,
}

/// <summary>An Add committed by ts-mls: the Commit and Welcome as MLSMessages, and the new epoch's encoded ratchet tree.</summary>
internal sealed record TsMlsAdd(byte[] Commit, byte[] Welcome, byte[] RatchetTree, ulong Epoch);

internal sealed record TsMlsCommit(byte[] Commit, ulong Epoch);

internal enum TsMlsProcessedKind
{
    Application,
    Commit,
}

/// <summary>What processing a message gave: application plaintext, or a commit's new epoch (and whether it removed the member).</summary>
internal sealed record TsMlsProcessed(TsMlsProcessedKind Kind, byte[]? Plaintext, ulong? Epoch, bool Removed);

internal sealed record TsMlsMember(uint LeafIndex, string CredentialType, byte[]? Identity, byte[] SignatureKey);

internal sealed record TsMlsGroupState(
    byte[] GroupId,
    ulong Epoch,
    uint OwnLeafIndex,
    string Active,
    IReadOnlyList<TsMlsMember> Members,
    byte[] EpochAuthenticator,
    byte[] TreeHash,
    byte[] ConfirmedTranscriptHash,
    byte[] RatchetTree);
