using System.Formats.Cbor;
using System.Security.Cryptography;
using Ockam.Identity.Encoding;
using Ockam.Identity.Files;

namespace Ockam.Identity.Vault;

/// <summary>
/// The on-disk form of a vault's persistent keys: <c>{0: 1, 1: body, 2: SHA-256(body)}</c> where body is
/// a CBOR array of <c>{0: id, 1: type, 2: secret}</c>. The digest turns silent corruption into a clear error.
/// The file is owner-only (0600) and always replaced atomically.
/// </summary>
internal static class VaultFile
{
    public const int MaxKeys = 10_000;
    private const int MaxFileSize = 16 * 1024 * 1024;
    private const int MaxIdLength = 64;

    public static byte[] Encode(IEnumerable<KeyValuePair<string, KeyMaterial>> keys)
    {
        // A key deleted meanwhile is left out (its deletion saves again); those written are held until written.
        var entries = keys.Where(k => k.Value.TryRetain()).ToList();
        byte[] body;
        try
        {
            body = CborEncoder.Encode(w =>
            {
                w.WriteStartArray(entries.Count);
                foreach (var (id, key) in entries)
                {
                    w.WriteStartMap(3);
                    w.WriteUInt32(0);
                    w.WriteTextString(id);
                    w.WriteUInt32(1);
                    w.WriteUInt32((uint)key.Type);
                    w.WriteUInt32(2);
                    w.WriteByteString(key.RetainedSecret);
                    w.WriteEndMap();
                }

                w.WriteEndArray();
            });
        }
        finally
        {
            entries.ForEach(k => k.Value.Release());
        }

        var result = CborEncoder.Encode(w =>
        {
            w.WriteStartMap(3);
            w.WriteUInt32(0);
            w.WriteUInt32(1);
            w.WriteUInt32(1);
            w.WriteByteString(body);
            w.WriteUInt32(2);
            w.WriteByteString(SHA256.HashData(body));
            w.WriteEndMap();
        });
        CryptographicOperations.ZeroMemory(body);
        return result;
    }

    /// <summary>Decodes a key file; the caller owns (and must dispose) the returned keys.</summary>
    public static Dictionary<string, KeyMaterial> Decode(ReadOnlyMemory<byte> file, ICurve25519 curve, SecretMemory memory)
    {
        var body = CborDecoder.Decode(file, MaxFileSize, "vault file", d =>
        {
            var count = d.ReadMapStart(3);
            if (count != 3)
            {
                throw d.Error("expected 3 fields");
            }

            d.ReadVersion(1);
            d.ExpectKey(1);
            var bytes = d.ReadBytes(0, MaxFileSize);
            d.ExpectKey(2);
            var digest = d.ReadFixedBytes(32);
            d.ReadMapEnd();
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(bytes), digest))
            {
                throw d.Error("checksum mismatch: the file is corrupt");
            }

            return bytes;
        });

        var keys = new Dictionary<string, KeyMaterial>(StringComparer.Ordinal);
        try
        {
            CborDecoder.Decode(body, MaxFileSize, "vault file body", d =>
            {
                var count = d.ReadArrayStart(MaxKeys);
                for (var i = 0; i < count; i++)
                {
                    if (d.ReadMapStart(3) != 3)
                    {
                        throw d.Error("expected 3 fields in a key entry");
                    }

                    d.ExpectKey(0);
                    var id = d.ReadText(MaxIdLength);
                    d.ExpectKey(1);
                    var type = (KeyType)d.ReadUInt32();
                    d.ExpectKey(2);
                    var secret = d.ReadBytes(0, KeyMaterial.MaxSecretLength);
                    d.ReadMapEnd();
                    try
                    {
                        var key = new KeyMaterial(type, secret, KeyPersistence.Persistent, curve, memory);
                        if (!keys.TryAdd(id, key))
                        {
                            key.Dispose();
                            throw d.Error($"duplicate key id {id}");
                        }
                    }
                    catch (VaultException e)
                    {
                        throw new OckamDecodeException($"vault file: key {id}: {e.Message}", e);
                    }
                    finally
                    {
                        CryptographicOperations.ZeroMemory(secret);
                    }
                }

                d.ReadArrayEnd();
                return keys;
            });
        }
        catch
        {
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }

            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(body);
        }

        return keys;
    }

    public static async Task<Dictionary<string, KeyMaterial>> ReadAsync(string path, ICurve25519 curve, SecretMemory memory, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & ~(AtomicFile.OwnerOnly | UnixFileMode.UserExecute)) != 0)
            {
                throw new VaultException($"vault file {path} is accessible to other users ({mode}); it must be owner-only (chmod 600)");
            }
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return Decode(bytes, curve, memory);
        }
        catch (OckamDecodeException e)
        {
            throw new VaultException($"vault file {path} is corrupt: {e.Message}", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Written like everything a node keeps: <see cref="AtomicFile"/>.</summary>
    public static Task WriteAsync(string path, byte[] contents, CancellationToken cancellationToken) => AtomicFile.WriteAsync(path, contents, cancellationToken);
}
