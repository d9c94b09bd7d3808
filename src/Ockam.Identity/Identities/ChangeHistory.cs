using System.Formats.Cbor;
using System.Security.Cryptography;
using Ockam.Identity.Encoding;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Identities;

/// <summary>
/// An identity's ordered, signed key lineage: <c>{0: version, 1: [change, ...]}</c>.
/// Decoding checks form only; <see cref="Verify"/> checks signatures, links and times.
/// Two histories are equal when their changes are, byte for byte.
/// </summary>
public sealed class ChangeHistory : IEquatable<ChangeHistory>
{
    public const uint Version = 1;

    /// <summary>Clock skew tolerated for times in the future.</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromMinutes(1);

    private readonly Change[] changes;

    internal ChangeHistory(IEnumerable<Change> changes)
    {
        this.changes = [.. changes];
        if (this.changes.Length == 0)
        {
            throw new ArgumentException("a history has at least one change", nameof(changes));
        }

        Identifier = Identifier.FromHash(SHA256.HashData(this.changes[0].EncodedData));
    }

    public IReadOnlyList<Change> Changes => changes;

    public Identifier Identifier { get; }

    public Change Latest => changes[^1];

    public static byte[] ChangeHash(Change change) => SHA256.HashData(change.EncodedData);

    public byte[] Encode() => CborEncoder.Encode(Write);

    /// <exception cref="OckamDecodeException">Malformed, oversized or of an unknown version.</exception>
    public static ChangeHistory Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, CborLimits.MaxHistorySize, "change history", Read);

    /// <summary>
    /// Verifies every link: hashes chain, both signatures hold, times move forward and are not in the
    /// future, no key is reused and nothing follows a revocation.
    /// </summary>
    /// <exception cref="IdentityException">The history is not valid.</exception>
    public VerifiedIdentity Verify(IVault vault, DateTimeOffset now, TimeSpan? clockSkew = null)
    {
        ArgumentNullException.ThrowIfNull(vault);
        var latest = now + (clockSkew ?? DefaultClockSkew);
        if (changes.Length > CborLimits.MaxChanges)
        {
            throw Fail(IdentityError.HistoryTooLong, $"more than {CborLimits.MaxChanges} changes");
        }

        var seenKeys = new HashSet<string>(StringComparer.Ordinal);
        Change? previous = null;
        var purposeKeysFrom = 0;
        for (var i = 0; i < changes.Length; i++)
        {
            var change = changes[i];
            var data = change.Data;
            if (data.CreatedAt >= data.ExpiresAt)
            {
                throw Fail(IdentityError.TimeOutOfOrder, $"change {i} expires before it is created");
            }

            if (data.CreatedAt > latest)
            {
                throw Fail(IdentityError.FromTheFuture, $"change {i} is created in the future");
            }

            if (!seenKeys.Add(Convert.ToHexString(data.PrimaryPublicKey)))
            {
                throw Fail(IdentityError.KeyReused, $"change {i} reuses an earlier primary key");
            }

            var signed = SigningDomain.ToBeSigned(SigningDomain.Change, change.EncodedData);
            if (!vault.Verify(data.PrimaryPublicKey, signed, change.Signature))
            {
                throw Fail(IdentityError.BadSignature, $"change {i} is not signed by its own key");
            }

            if (previous is null)
            {
                if (data.PreviousChangeHash is not null || change.PreviousSignature is not null || data.Revoked)
                {
                    throw Fail(IdentityError.MalformedFirstChange, "the first change has a predecessor or revokes");
                }
            }
            else
            {
                var prior = previous.Data;
                if (prior.Revoked)
                {
                    throw Fail(IdentityError.ChangeAfterRevocation, $"change {i} follows a revocation");
                }

                if (data.PreviousChangeHash is not { } previousHash || !CryptographicOperations.FixedTimeEquals(previousHash, ChangeHash(previous)))
                {
                    throw Fail(IdentityError.BrokenChain, $"change {i} does not follow change {i - 1}");
                }

                if (change.PreviousSignature is not { } previousSignature || !vault.Verify(prior.PrimaryPublicKey, signed, previousSignature))
                {
                    throw Fail(IdentityError.BadPreviousSignature, $"change {i} is not signed by the previous key");
                }

                if (data.CreatedAt < prior.CreatedAt)
                {
                    throw Fail(IdentityError.TimeOutOfOrder, $"change {i} is older than change {i - 1}");
                }

                if (data.CreatedAt > prior.ExpiresAt)
                {
                    throw Fail(IdentityError.SignedWithExpiredKey, $"change {i} is signed by a key that had expired");
                }
            }

            if (data.RevokePurposeKeys)
            {
                purposeKeysFrom = i;
            }

            previous = change;
        }

        return new VerifiedIdentity(this, purposeKeysFrom);
    }

    /// <summary>How <paramref name="presented"/> relates to <paramref name="known"/>, both of one identity.</summary>
    public static HistoryComparison Compare(ChangeHistory known, ChangeHistory presented)
    {
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(presented);
        if (known.Identifier != presented.Identifier)
        {
            throw new ArgumentException("histories of different identities cannot be compared", nameof(presented));
        }

        var common = Math.Min(known.changes.Length, presented.changes.Length);
        for (var i = 0; i < common; i++)
        {
            if (!known.changes[i].EncodedData.AsSpan().SequenceEqual(presented.changes[i].EncodedData))
            {
                return HistoryComparison.Fork;
            }
        }

        return presented.changes.Length.CompareTo(known.changes.Length) switch
        {
            0 => HistoryComparison.Same,
            > 0 => HistoryComparison.Extends,
            _ => HistoryComparison.Older,
        };
    }

    public bool Equals(ChangeHistory? other) => other is not null && changes.AsSpan().SequenceEqual(other.changes);

    public override bool Equals(object? obj) => Equals(obj as ChangeHistory);

    public override int GetHashCode() => HashCode.Combine(Identifier, changes.Length);

    internal ChangeHistory Append(Change change) => new([.. changes, change]);

    internal void Write(CborWriter w)
    {
        w.WriteStartMap(2);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteStartArray(changes.Length);
        foreach (var change in changes)
        {
            change.Write(w);
        }

        w.WriteEndArray();
        w.WriteEndMap();
    }

    internal static ChangeHistory Read(CborDecoder d)
    {
        if (d.ReadMapStart(2) != 2)
        {
            throw d.Error("a change history has 2 fields");
        }

        d.ReadVersion(Version);
        d.ExpectKey(1);
        var count = d.ReadArrayStart(CborLimits.MaxChanges);
        if (count == 0)
        {
            throw d.Error("a change history has at least one change");
        }

        var list = new List<Change>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(Change.Read(d));
        }

        d.ReadArrayEnd();
        d.ReadMapEnd();
        return new ChangeHistory(list);
    }

    private IdentityException Fail(IdentityError error, string message) => new(error, $"{Identifier}: {message}");
}
