namespace Ockam.Load;

/// <summary>Nearest-rank percentiles of a sample.</summary>
internal static class Percentiles
{
    public static double? Of(IReadOnlyCollection<double> sample, double q)
    {
        if (sample.Count == 0)
        {
            return null;
        }

        var sorted = sample.Order().ToArray();
        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
