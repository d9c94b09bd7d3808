namespace Ockam.Identity.Encoding;

/// <summary>Times are whole seconds since the Unix epoch, as unsigned integers on the wire.</summary>
internal static class Timestamp
{
    private static readonly ulong MaxSeconds = (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public static ulong ToUnixSeconds(DateTimeOffset value)
    {
        var seconds = value.ToUnixTimeSeconds();
        if (seconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "times before 1970 cannot be encoded");
        }

        return (ulong)seconds;
    }

    public static DateTimeOffset FromUnixSeconds(ulong seconds, CborDecoder decoder) =>
        seconds <= MaxSeconds
            ? DateTimeOffset.FromUnixTimeSeconds((long)seconds)
            : throw decoder.Error($"timestamp {seconds} out of range");

    /// <summary>Truncates to whole seconds, the precision that survives encoding.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeSeconds(value.ToUnixTimeSeconds());
}
