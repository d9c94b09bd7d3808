using System.Text.Json;
using System.Text.Json.Serialization;
using Ockam.Identity.Encoding;
using Ockam.Identity.Files;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;

namespace Ockam.Client.Edge;

/// <summary>
/// The private halves of the KeyPackages this node published (RFC 9420 §10), kept in its home so that a Welcome that
/// names one (by KeyPackageRef) can be opened after a restart: the init and encryption keys are persistent vault keys,
/// and <c>key-packages.json</c> maps each package's KeyPackageRef (hex) to the package and its two key handles — no
/// secret. A claimed package stays until a Welcome uses it (<see cref="TakeAsync"/>) or it expires
/// (<see cref="DropExpiredAsync"/>): the silo does not tell who claimed what, nor whether an invitation follows.
/// </summary>
/// <remarks>
/// Written with <see cref="AtomicFile"/>, after the keys are in the vault and before the packages are published, so a
/// package the silo hands out always has its keys here (a crash in between leaves at worst unpublished keys behind).
/// At most <see cref="Capacity"/> entries: a member that keeps claiming this node's packages cannot make it fill its
/// vault; the node publishes no more until some expire or are used.
/// </remarks>
internal sealed class KeyPackageStore(string path, IVault vault, TimeProvider time) : IDisposable
{
    public const int Capacity = 64;

    /// <summary>Capacity entries of a few KiB each (base64), with room to spare; a larger file is not ours.</summary>
    private const int MaxFileBytes = 1024 * 1024;

    private readonly SemaphoreSlim gate = new(1, 1);
    private Dictionary<string, Entry>? entries;

    /// <summary>How many more packages may be kept.</summary>
    public async Task<int> RoomAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Capacity - (await LoadAsync(cancellationToken).ConfigureAwait(false)).Count;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Keeps <paramref name="bundles"/> (whose init and encryption keys are persistent keys of the vault) before they are published.</summary>
    /// <exception cref="InvalidOperationException">They would take the store beyond <see cref="Capacity"/>.</exception>
    public async Task AddAsync(IReadOnlyList<KeyPackageBundle> bundles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundles);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var all = await LoadAsync(cancellationToken).ConfigureAwait(false);
            if (all.Count + bundles.Count > Capacity)
            {
                throw new InvalidOperationException($"the key package store holds {all.Count} and keeps at most {Capacity}");
            }

            var next = new Dictionary<string, Entry>(all, StringComparer.Ordinal);
            foreach (var bundle in bundles)
            {
                next[RefOf(bundle.KeyPackage)] = new Entry(Convert.ToBase64String(bundle.KeyPackage.Encode()), bundle.InitKey.Id, bundle.EncryptionKey.Id);
            }

            await SaveAsync(next, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The package named by <paramref name="keyPackageRef"/> (a Welcome's new_member) with its init and encryption
    /// keys, removed from the index and from the vault's file; null if this node holds no such package. The keys come
    /// back as ephemeral keys: the group that joins owns them (deleting the init key once the Welcome opened, §16.8, and
    /// the encryption key when its leaf changes), and its saved state keeps them wrapped, so no persistent copy remains.
    /// </summary>
    public async Task<(KeyPackage KeyPackage, KeyHandle InitKey, KeyHandle EncryptionKey)?> TakeAsync(ReadOnlyMemory<byte> keyPackageRef, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var all = await LoadAsync(cancellationToken).ConfigureAwait(false);
            var key = Convert.ToHexStringLower(keyPackageRef.Span);
            if (!all.TryGetValue(key, out var entry))
            {
                return null;
            }

            var next = new Dictionary<string, Entry>(all, StringComparer.Ordinal);
            next.Remove(key);
            await SaveAsync(next, cancellationToken).ConfigureAwait(false);
            var initKey = await TakeAsEphemeralAsync(new KeyHandle(entry.InitKey, KeyType.X25519), cancellationToken).ConfigureAwait(false);
            var encryptionKey = await TakeAsEphemeralAsync(new KeyHandle(entry.EncryptionKey, KeyType.X25519), cancellationToken).ConfigureAwait(false);
            return (Decode(entry), initKey, encryptionKey);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>An ephemeral copy of persistent <paramref name="key"/>, made inside the vault (wrapped under a key used once), and the original deleted.</summary>
    private async Task<KeyHandle> TakeAsEphemeralAsync(KeyHandle key, CancellationToken cancellationToken)
    {
        var transfer = await vault.GenerateKeyAsync(KeyType.AesGcm, KeyPersistence.Ephemeral, cancellationToken).ConfigureAwait(false);
        try
        {
            var copy = vault.UnwrapKey(transfer, vault.WrapKey(transfer, key, []), []);
            await vault.DeleteKeyAsync(key, cancellationToken).ConfigureAwait(false);
            return copy;
        }
        finally
        {
            vault.DeleteEphemeralKey(transfer);
        }
    }

    /// <summary>Deletes the packages whose lifetime has ended, and their keys: no member would add them any more.</summary>
    public async Task DropExpiredAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var all = await LoadAsync(cancellationToken).ConfigureAwait(false);
            var now = (ulong)Math.Max(0, time.GetUtcNow().ToUnixTimeSeconds());
            var expired = all.Where(e => Decode(e.Value).LeafNode.Lifetime!.NotAfter < now).ToList();
            if (expired.Count == 0)
            {
                return;
            }

            // The index first: a crash after it leaves orphaned keys, never an entry whose keys are gone.
            await SaveAsync(all.Where(e => !expired.Contains(e)).ToDictionary(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
            foreach (var (_, entry) in expired)
            {
                await vault.DeleteKeyAsync(new KeyHandle(entry.InitKey, KeyType.X25519), cancellationToken).ConfigureAwait(false);
                await vault.DeleteKeyAsync(new KeyHandle(entry.EncryptionKey, KeyType.X25519), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    private static string RefOf(KeyPackage keyPackage) => Convert.ToHexStringLower(keyPackage.ComputeRef(OckamKeyPackages.Suite));

    private static KeyPackage Decode(Entry entry) => KeyPackage.Decode(Convert.FromBase64String(entry.KeyPackage));

    private async Task SaveAsync(Dictionary<string, Entry> next, CancellationToken cancellationToken)
    {
        // The copy in memory changes only once the file has, as in RoomProgress.
        await AtomicFile.WriteAsync(path, JsonSerializer.SerializeToUtf8Bytes(next, KeyPackageStoreJson.Default.DictionaryStringEntry), cancellationToken).ConfigureAwait(false);
        entries = next;
    }

    /// <exception cref="OckamDecodeException">The index is larger than any this store writes, or not one.</exception>
    private async Task<Dictionary<string, Entry>> LoadAsync(CancellationToken cancellationToken)
    {
        if (entries is not null)
        {
            return entries;
        }

        if (!File.Exists(path))
        {
            return entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        }

        if (new FileInfo(path).Length > MaxFileBytes)
        {
            throw new OckamDecodeException($"{path} is larger than {MaxFileBytes} bytes");
        }

        try
        {
            var read = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), KeyPackageStoreJson.Default.DictionaryStringEntry);
            return entries = new Dictionary<string, Entry>(read ?? [], StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new OckamDecodeException($"{path} is not a key package index: {e.Message}", e);
        }
    }

    /// <param name="KeyPackage">The encoded KeyPackage, base64.</param>
    /// <param name="InitKey">The vault id of init_key's private key (X25519, persistent).</param>
    /// <param name="EncryptionKey">The vault id of the leaf's encryption key (X25519, persistent).</param>
    internal sealed record Entry(string KeyPackage, string InitKey, string EncryptionKey);
}

[JsonSerializable(typeof(Dictionary<string, KeyPackageStore.Entry>))]
internal sealed partial class KeyPackageStoreJson : JsonSerializerContext;
