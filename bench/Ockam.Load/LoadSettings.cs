namespace Ockam.Load;

/// <summary>What to run and how much of it: sizes and time bounds per mode (quick: the whole run in minutes on 2 cores).</summary>
internal sealed record LoadSettings
{
    public required string WorkDirectory { get; init; }

    public required string SiloDll { get; init; }

    /// <summary>
    /// Where the enrolling devices and the topic's subscribers keep their homes, if not under <see cref="WorkDirectory"/>.
    /// Each fresh device flushes its files to disk ten times, and each subscriber twice a second; thousands of devices
    /// simulated on one machine queue those flushes on one disk, where a fleet's devices each flush their own storage. A
    /// tmpfs here stands for that; the silo's database stays in the work directory.
    /// </summary>
    public string? DeviceHomes { get; init; }

    /// <summary>A silo already running ("host:port" of its edge gateway), instead of one started per scenario.</summary>
    public Connection? Connect { get; init; }

    /// <summary>The Mosquitto broker's loopback port, or null for no references.</summary>
    public int? MqttPort { get; init; }

    /// <summary>The broker's process id, for its memory per idle client.</summary>
    public int? MqttPid { get; init; }

    public required string Mode { get; init; }

    public bool Quick => Mode == "quick";

    public bool Long => Mode == "long";

    /// <summary>Readings outstanding (sent, not yet received) at once in the online shapes, ours and Mosquitto's alike.</summary>
    public int Window { get; init; } = 100;

    public int OnlineMessages => Quick ? 5_000 : 20_000;

    public int[] OfflineDepths => Long ? [1_000, 10_000, 100_000] : [1_000, 10_000];

    public int CrossFill => Quick ? 20_000 : 50_000;

    public int FanOutSubscribers { get; init; } = 100;

    public int[] MqttFanOutSubscribers => FanOutSubscribers == 1_000 ? [1_000] : [FanOutSubscribers, 1_000];

    /// <summary>Publications measured in fan-out, as given (<c>--publications</c>); by default see <see cref="Publications"/>.</summary>
    public int? GivenPublications { get; init; }

    /// <summary>
    /// Publications measured in fan-out to <paramref name="subscribers"/>: as given, or by default 20 000 deliveries'
    /// worth (200 to 100 subscribers, 20 to 1 000; from 20 to 2 000), so that the CPU per delivery is the deliveries'
    /// and not what the processes do meanwhile anyway (at 2 000 deliveries, the silo's figure ranged over 65–190 µs).
    /// </summary>
    public int Publications(int subscribers) => GivenPublications ?? Math.Clamp(20_000 / subscribers, 20, 2_000);

    public int Enrolments { get; init; } = 1_000;

    /// <summary>Devices connecting at once in the connections shape, then held idle.</summary>
    public int Connections { get; init; } = 1_000;

    /// <summary>
    /// Devices enrolling at once: a fleet's devices do not wait for each other, and with a handful at a time the silo
    /// sits idle while each waits for its round trips and its own files. At 32 the two cores were still a fifth idle
    /// (215 enrolments/s over the last 1 000 of 4 000, against 296 at 64 in the same conditions).
    /// </summary>
    public int EnrolmentConcurrency { get; init; } = 64;

    /// <summary>The most a scenario's measured phase may take before it reports "did not complete".</summary>
    public TimeSpan Bound(TimeSpan quick) => Quick ? quick : Long ? quick * 10 : quick * 4;

    public sealed record Connection(string Edge, string Identifier, int GatewayPort, string ServiceId, int? Pid);
}
