namespace Ockam.Silo.Cluster;

/// <summary>
/// The system clock, with timestamps counted from this clock's creation (the silo's start) rather than the machine's
/// boot: Orleans' membership clock (<c>TimeProviderNames.Membership</c>), which its watchdog reads.
/// </summary>
/// <remarks>
/// Orleans' <c>Watchdog.Start</c> (10.4.2, and its main branch in August 2026) starts the thread that checks for stalls
/// before it sets the component check's first timestamp, so the first check can read that timestamp as 0 and report the
/// time since timestamp 0 as a stall: with the system clock, the machine's uptime ("Participant check thread has not
/// completed for 03:10:00", measured here at an uptime of 3 h 10 min; minutes on a fresh container). Counted from the
/// silo's start, that first reading is the seconds the silo took to start, under the watchdog's threshold (twice
/// <c>ClusterMembershipOptions.LocalHealthDegradationMonitoringPeriod</c>, 20 s), while every real interval (a
/// difference of two timestamps) is what the system clock measures.
/// </remarks>
internal sealed class MembershipClock(TimeProvider system) : TimeProvider
{
    private readonly long origin = system.GetTimestamp();

    public override TimeZoneInfo LocalTimeZone => system.LocalTimeZone;

    public override long TimestampFrequency => system.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => system.GetUtcNow();

    public override long GetTimestamp() => system.GetTimestamp() - origin;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => system.CreateTimer(callback, state, dueTime, period);
}
