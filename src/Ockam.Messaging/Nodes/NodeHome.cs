using System.Formats.Cbor;
using Ockam.Identity.Encoding;
using Ockam.Identity.Files;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Messaging.Nodes;

/// <summary>
/// A node's directory: its key vault (<c>vault.cbor</c>, owner-only) and its named identities with their
/// purpose keys (<c>identities.cbor</c>: public data and key handles, no secrets). First use creates them.
/// </summary>
public sealed class NodeHome : IDisposable
{
    private const uint Version = 1;
    private const int MaxFileSize = 1024 * 1024;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly string identitiesPath;
    private readonly Dictionary<string, StoredIdentity> identities;

    private NodeHome(string directory, SoftwareVault vault, Dictionary<string, StoredIdentity> identities, TimeProvider time)
    {
        Directory = directory;
        Vault = vault;
        Time = time;
        identitiesPath = Path.Combine(directory, "identities.cbor");
        this.identities = identities;
        Identities = new IdentityManager(vault, time);
    }

    public string Directory { get; }

    public SoftwareVault Vault { get; }

    public TimeProvider Time { get; }

    public IdentityManager Identities { get; }

    /// <summary>Opens (creating if needed, owner-only) the node directory at <paramref name="directory"/>.</summary>
    /// <exception cref="OckamDecodeException">The identities file is corrupt.</exception>
    public static async Task<NodeHome> OpenAsync(string directory, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var info = System.IO.Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            info.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        }

        var vault = await SoftwareVault.OpenAsync(Path.Combine(directory, "vault.cbor"), cancellationToken).ConfigureAwait(false);
        var path = Path.Combine(directory, "identities.cbor");
        var stored = File.Exists(path) ? Decode(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)) : [];
        return new NodeHome(directory, vault, stored, time ?? TimeProvider.System);
    }

    /// <summary>Whether an identity is stored as <paramref name="name"/> (false in a fresh home).</summary>
    public async Task<bool> HasIdentityAsync(string name, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return identities.ContainsKey(name);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The identity stored as <paramref name="name"/>, created (and saved) on first use.</summary>
    public async Task<LocalIdentity> GetOrCreateIdentityAsync(string name, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (identity, created) = await IdentityAsync(name, cancellationToken).ConfigureAwait(false);
            if (created)
            {
                await SaveAsync(cancellationToken).ConfigureAwait(false);
            }

            return identity;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Replaces a stored identity (after a rotation or revocation).</summary>
    public async Task UpdateIdentityAsync(string name, LocalIdentity identity, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var keys = identities.TryGetValue(name, out var known) ? known.PurposeKeys : [];
            identities[name] = new StoredIdentity(identity, keys);
            await SaveAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// A purpose key of the identity <paramref name="name"/> (created on first use): the stored one if it is attested for
    /// that identity's current history and valid for at least <paramref name="renewBefore"/>, else a new one.
    /// </summary>
    public async Task<PurposeKey> GetOrCreatePurposeKeyAsync(string name, Purpose purpose, TimeSpan lifetime, TimeSpan renewBefore, CancellationToken cancellationToken = default) =>
        (await GetOrCreatePurposeKeysAsync(name, [purpose], lifetime, renewBefore, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// As <see cref="GetOrCreatePurposeKeyAsync"/> for each of <paramref name="purposes"/> (distinct), in that order; what
    /// is new (the identity too, on first use) is made together and saved in one write of the identities file.
    /// </summary>
    public async Task<IReadOnlyList<PurposeKey>> GetOrCreatePurposeKeysAsync(string name, IReadOnlyList<Purpose> purposes, TimeSpan lifetime, TimeSpan renewBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(purposes);
        if (purposes.Distinct().Count() != purposes.Count)
        {
            throw new ArgumentException("each purpose at most once", nameof(purposes));
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var created = false;
        try
        {
            if (purposes.Count > 0 && !identities.ContainsKey(name))
            {
                // A fresh identity and its keys in one vault write (then one of the identities file), not one each.
                created = true;
                var (fresh, keys) = await Identities.CreateWithPurposeKeysAsync(purposes, lifetime, cancellationToken: cancellationToken).ConfigureAwait(false);
                identities[name] = new StoredIdentity(fresh, keys);
                await SaveAsync(cancellationToken).ConfigureAwait(false);
                return keys;
            }

            var (identity, identityCreated) = await IdentityAsync(name, cancellationToken).ConfigureAwait(false);
            created = identityCreated;
            return await PurposeKeysAsync(name, identity, identityCreated, purposes, lifetime, renewBefore, cancellationToken).ConfigureAwait(false);
        }
        catch when (created)
        {
            // Never saved: the next call makes the identity afresh rather than keep one the file does not hold.
            identities.Remove(name);
            throw;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The body of <see cref="GetOrCreatePurposeKeysAsync"/>, under <see cref="gate"/>.</summary>
    private async Task<IReadOnlyList<PurposeKey>> PurposeKeysAsync(string name, LocalIdentity identity, bool identityCreated, IReadOnlyList<Purpose> purposes, TimeSpan lifetime, TimeSpan renewBefore, CancellationToken cancellationToken)
    {
        var stored = identities[name];
        var now = Time.GetUtcNow();
        var keys = purposes.Select(purpose => stored.PurposeKeys.FirstOrDefault(k =>
            k.Attestation.Purpose == purpose && k.Attestation.ExpiresAt - now > renewBefore && Vault.Contains(k.Key) && Attests(identity, k))).ToArray();
        var renewed = purposes.Where((_, i) => keys[i] is null).ToHashSet();
        if (renewed.Count == 0)
        {
            if (identityCreated)
            {
                await SaveAsync(cancellationToken).ConfigureAwait(false);
            }

            return [.. keys.Select(k => k!)];
        }

        // Made together, so that the vault writes their secrets in one write rather than one after the other.
        var created = await Identities.CreatePurposeKeysAsync(identity, [.. purposes.Where(renewed.Contains)], lifetime, KeyPersistence.Persistent, cancellationToken).ConfigureAwait(false);
        identities[name] = stored with { PurposeKeys = [.. stored.PurposeKeys.Where(k => !renewed.Contains(k.Attestation.Purpose)), .. created] };
        await SaveAsync(cancellationToken).ConfigureAwait(false);
        foreach (var old in stored.PurposeKeys.Where(k => renewed.Contains(k.Attestation.Purpose) && Vault.Contains(k.Key)))
        {
            await Vault.DeleteKeyAsync(old.Key, cancellationToken).ConfigureAwait(false);
        }

        return [.. purposes.Select((purpose, i) => keys[i] ?? created.First(k => k.Attestation.Purpose == purpose))];
    }

    /// <summary>The identity stored as <paramref name="name"/>, or a new one kept in memory (the caller saves it); under <see cref="gate"/>.</summary>
    private async Task<(LocalIdentity Identity, bool Created)> IdentityAsync(string name, CancellationToken cancellationToken)
    {
        if (identities.TryGetValue(name, out var known))
        {
            return (known.Identity, false);
        }

        var created = await Identities.CreateAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        identities[name] = new StoredIdentity(created, []);
        return (created, true);
    }

    public void Dispose()
    {
        Vault.Dispose();
        gate.Dispose();
    }

    private bool Attests(LocalIdentity identity, PurposeKey key)
    {
        try
        {
            key.Attestation.Verify(identity.History.Verify(Vault, Time.GetUtcNow()), key.Attestation.Purpose, Vault, Time.GetUtcNow());
            return true;
        }
        catch (IdentityException)
        {
            return false;
        }
    }

    private Task SaveAsync(CancellationToken cancellationToken) => AtomicFile.WriteAsync(identitiesPath, Encode(), cancellationToken);

    private byte[] Encode()
    {
        var writer = new CborWriter(CborConformanceMode.Canonical);
        writer.WriteStartMap(2);
        writer.WriteUInt32(0);
        writer.WriteUInt32(Version);
        writer.WriteUInt32(1);
        writer.WriteStartMap(identities.Count);
        foreach (var (name, stored) in identities.OrderBy(i => i.Key, CanonicalTextOrder.Instance))
        {
            writer.WriteTextString(name);
            writer.WriteStartArray(3);
            writer.WriteByteString(stored.Identity.History.Encode());
            writer.WriteTextString(stored.Identity.PrimaryKey.Id);
            writer.WriteStartArray(stored.PurposeKeys.Count);
            foreach (var key in stored.PurposeKeys)
            {
                writer.WriteStartArray(3);
                writer.WriteTextString(key.Key.Id);
                writer.WriteUInt32((uint)key.Key.Type);
                writer.WriteByteString(key.Attestation.Encode());
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndArray();
        }

        writer.WriteEndMap();
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static Dictionary<string, StoredIdentity> Decode(byte[] encoded) =>
        CborDecoder.Decode(encoded, MaxFileSize, "identities file", d =>
        {
            if (d.ReadMapStart(2) != 2)
            {
                throw d.Error("expected {0: version, 1: identities}");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var count = d.ReadMapStart(1024);
            var result = new Dictionary<string, StoredIdentity>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var name = d.ReadText(256);
                d.ReadArrayStart(3);
                var history = ChangeHistory.Decode(d.ReadBytes(1, CborLimits.MaxHistorySize));
                var primary = new KeyHandle(d.ReadText(128), KeyType.Ed25519);
                var keyCount = d.ReadArrayStart(16);
                var keys = new List<PurposeKey>();
                for (var k = 0; k < keyCount; k++)
                {
                    d.ReadArrayStart(3);
                    var id = d.ReadText(128);
                    var type = (KeyType)d.ReadUInt32();
                    keys.Add(new PurposeKey(new KeyHandle(id, type), PurposeKeyAttestation.Decode(d.ReadBytes(1, CborLimits.MaxCredentialSize))));
                    d.ReadArrayEnd();
                }

                d.ReadArrayEnd();
                d.ReadArrayEnd();
                result[name] = new StoredIdentity(new LocalIdentity(history, primary), keys);
            }

            d.ReadMapEnd();
            d.ReadMapEnd();
            return result;
        });

    private sealed record StoredIdentity(LocalIdentity Identity, IReadOnlyList<PurposeKey> PurposeKeys);
}
