
namespace Ockam.Identity.Encoding;

/// <summary>RFC 7049 canonical map-key order for text keys: shorter encodings first, then bytewise.</summary>
public sealed class CanonicalTextOrder : IComparer<string>
{
    /// <summary>The one instance.</summary>
    public static readonly CanonicalTextOrder Instance = new();

    private CanonicalTextOrder()
    {
    }

    /// <summary>Orders <paramref name="x"/> and <paramref name="y"/> as their encodings sort in a canonical CBOR map.</summary>
    public int Compare(string? x, string? y)
    {
        var a = System.Text.Encoding.UTF8.GetBytes(x ?? string.Empty);
        var b = System.Text.Encoding.UTF8.GetBytes(y ?? string.Empty);
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.AsSpan().SequenceCompareTo(b);
    }
}
