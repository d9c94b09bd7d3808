
namespace Ockam.Identity.Encoding;

/// <summary>RFC 7049 canonical map-key order for text keys: shorter encodings first, then bytewise.</summary>
internal sealed class CanonicalTextOrder : IComparer<string>
{
    public static readonly CanonicalTextOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        var a = System.Text.Encoding.UTF8.GetBytes(x ?? string.Empty);
        var b = System.Text.Encoding.UTF8.GetBytes(y ?? string.Empty);
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.AsSpan().SequenceCompareTo(b);
    }
}
