using System.Security.Cryptography;

namespace Ockam.Load;

/// <summary>
/// The CPU one Ed25519 verification costs on this machine, through the libsodium (Geralt) that members verify with:
/// RFC 9420 (§6.1) has every member check the sender's signature on each message it receives, so no subscriber of a
/// topic can spend less than this per delivery.
/// </summary>
internal static class SignatureCheck
{
    /// <summary>About the size of the signed content of one 256-byte reading (FramedContentTBS: the reading and its headers).</summary>
    private const int SignedBytes = 400;

    /// <summary>
    /// Microseconds of CPU per verification: the least of five rounds of <paramref name="count"/> (after one uncounted),
    /// by this thread's CPU time, so that neither preemption nor the idle nodes' work on other threads is counted.
    /// </summary>
    public static double Microseconds(int count)
    {
        var publicKey = new byte[Geralt.Ed25519.PublicKeySize];
        var privateKey = new byte[Geralt.Ed25519.PrivateKeySize];
        Geralt.Ed25519.GenerateKeyPair(publicKey, privateKey);
        var content = RandomNumberGenerator.GetBytes(SignedBytes);
        var signature = new byte[Geralt.Ed25519.SignatureSize];
        Geralt.Ed25519.Sign(signature, content, privateKey);
        Verify(publicKey, content, signature, count);
        var least = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var start = ThreadCpuNanoseconds();
            Verify(publicKey, content, signature, count);
            least = Math.Min(least, (ThreadCpuNanoseconds() - start) / 1000.0 / count);
        }

        return least;
    }

    /// <summary>
    /// The calling thread's time on a CPU, in nanoseconds, from Linux's scheduler statistics: the process-wide figures
    /// would count the other threads (a thousand idle nodes save their rooms just after the deliveries end), and the
    /// thread's own in /proc's stat is in ticks of 10 ms.
    /// </summary>
    private static long ThreadCpuNanoseconds() =>
        long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static void Verify(byte[] publicKey, byte[] content, byte[] signature, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (!Geralt.Ed25519.Verify(signature, content, publicKey))
            {
                throw new InvalidOperationException("a valid signature did not verify");
            }
        }
    }
}
