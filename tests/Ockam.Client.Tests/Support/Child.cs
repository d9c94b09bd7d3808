using Ockam.Client.Edge;
using Ockam.Identity.Files;
using Ockam.Identity.Identities;
using Ockam.Messaging.Nodes;

namespace Ockam.Client.Tests.Support;

/// <summary>
/// The test assembly's own entry point (<c>dotnet Ockam.Client.Tests.dll &lt;role&gt; ...</c>), for tests that need a
/// process to kill or to hold a lock: a crash is a process dying, which no thread of the test's own process can show.
/// The test runner loads the assembly as a library and never calls it. Each role prints <see cref="Ready"/> once it has
/// done its work at least once, then goes on until it is killed (or, for a lock, until its standard input closes).
/// </summary>
internal static class Child
{
    public const string Ready = "ready";

    /// <summary>Large enough that writing one takes a while (a kill lands in a write more often than between two).</summary>
    public const int ContentSize = 4 * 1024 * 1024;

    /// <summary>The node-home churn's identity and the purposes it renews on every round.</summary>
    public const string IdentityName = "default";

    public static readonly IReadOnlyList<Purpose> ChurnedPurposes = [Purpose.SecureChannelStatic, Purpose.GroupKeyAgreement];

    public static readonly TimeSpan ChurnedLifetime = TimeSpan.FromHours(1);

    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["write-forever", var path]:
                await WriteForeverAsync(path);
                return 0;
            case ["churn-keys", var home]:
                await ChurnKeysAsync(home);
                return 0;
            case ["hold-lock", var home]:
                HoldLock(home);
                return 0;
            default:
                await Console.Error.WriteLineAsync($"unknown child role: {string.Join(' ', args)}");
                return 2;
        }
    }

    /// <summary>One of the two contents the writer alternates between: every byte the same, a different byte for each.</summary>
    public static byte[] Content(int which) => Enumerable.Repeat((byte)(which == 0 ? 0xA5 : 0x5A), ContentSize).ToArray();

    /// <summary>Replaces the file at <paramref name="path"/> through <see cref="AtomicFile"/>, with each content in turn, forever.</summary>
    private static async Task WriteForeverAsync(string path)
    {
        byte[][] contents = [Content(0), Content(1)];
        for (var round = 0; ; round++)
        {
            await AtomicFile.WriteAsync(path, contents[round % 2]);
            if (round == 0)
            {
                Console.Out.WriteLine(Ready);
                Console.Out.Flush();
            }
        }
    }

    /// <summary>
    /// Renews the purpose keys of one identity in a real node home, round after round (a key that must be renewed before
    /// it is older than its lifetime is renewed every time): new keys into the vault, the identities file naming them,
    /// the old keys out of the vault — every write a node makes when it starts.
    /// </summary>
    private static async Task ChurnKeysAsync(string directory)
    {
        using var home = await NodeHome.OpenAsync(directory);
        for (var round = 0; ; round++)
        {
            await home.GetOrCreatePurposeKeysAsync(IdentityName, ChurnedPurposes, ChurnedLifetime, renewBefore: ChurnedLifetime * 2);
            if (round == 0)
            {
                Console.Out.WriteLine(Ready);
                Console.Out.Flush();
            }
        }
    }

    /// <summary>Holds the node home's lock until standard input closes, then lets it go and exits.</summary>
    private static void HoldLock(string home)
    {
        using var held = NodeHomeLock.Acquire(home);
        Console.Out.WriteLine(Ready);
        Console.Out.Flush();
        _ = Console.In.ReadToEnd();
    }
}
