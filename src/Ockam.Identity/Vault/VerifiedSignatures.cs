using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ockam.Identity.Vault;

/// <summary>
/// A bounded memory of the Ed25519 signatures a vault has verified, so that a peer's change history, attestations and
/// credentials presented again (every reconnect, every member of a group re-checked on each commit) cost a hash instead
/// of a verification. An entry is keyed by a digest of the exact public key, signature and message bytes; only a
/// signature that verified, or that the vault itself made with the key's secret, is ever remembered (Ed25519
/// verification is a pure function of those bytes, so the answer cannot change), and a failed one is checked again
/// every time. Expiry, revocation and every other rule of the structures are still checked on each use by their
/// callers: this remembers signatures, not trust.
/// </summary>
/// <remarks>
/// Two generations of at most <see cref="Capacity"/> entries each: when the newer fills, it becomes the older and the
/// older is dropped, and a hit in the older is carried into the newer. So memory stays bounded whatever a peer sends
/// (≈ 2 × capacity × 48 bytes), and what is in use stays remembered.
/// </remarks>
internal sealed class VerifiedSignatures
{
    /// <summary>Entries per generation: 8 192 × 2 digests is about 1 MiB, the signatures of a few thousand peers.</summary>
    public const int DefaultCapacity = 8_192;

    private readonly Lock gate = new();
    private HashSet<Digest> newer = [];
    private HashSet<Digest> older = [];

    public VerifiedSignatures(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>The digest that names one (public key, message, signature) triple; fixed-size fields, so no two triples share an encoding.</summary>
    public static Digest DigestOf(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        Span<byte> input = stackalloc byte[ICurve25519.KeySize + ICurve25519.SignatureSize + SHA256.HashSizeInBytes];
        publicKey.CopyTo(input);
        signature.CopyTo(input[ICurve25519.KeySize..]);
        SHA256.HashData(message, input[(ICurve25519.KeySize + ICurve25519.SignatureSize)..]);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, digest);
        return new Digest(BinaryPrimitives.ReadUInt128LittleEndian(digest), BinaryPrimitives.ReadUInt128LittleEndian(digest[16..]));
    }

    /// <summary>Whether this triple verified before (and, if so, that it is kept in the newer generation).</summary>
    public bool Contains(Digest digest)
    {
        lock (gate)
        {
            if (newer.Contains(digest))
            {
                return true;
            }

            if (!older.Remove(digest))
            {
                return false;
            }

            AddLocked(digest);
            return true;
        }
    }

    /// <summary>Remembers a triple that has just verified.</summary>
    public void Add(Digest digest)
    {
        lock (gate)
        {
            AddLocked(digest);
        }
    }

    private void AddLocked(Digest digest)
    {
        if (newer.Count >= Capacity)
        {
            (older, newer) = (newer, older);
            newer.Clear();
        }

        newer.Add(digest);
    }

    /// <summary>A SHA-256 digest as two 128-bit halves: equality and hashing of a value, no array.</summary>
    internal readonly record struct Digest(UInt128 Low, UInt128 High);
}
