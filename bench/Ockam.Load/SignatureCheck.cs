using System.Diagnostics;
using System.Security.Cryptography;

namespace Ockam.Load;

/// <summary>
/// The CPU one Ed25519 verification costs on this machine, through the libsodium (Geralt) that members verify with: RFC 9420
/// (§6.1) has every member check the sender's signature on each message it receives, so no subscriber of a topic can
/// spend less than this per delivery.
/// </summary>
internal static class SignatureCheck
{
    /// <summary>About the size of the signed content of one 256-byte reading (FramedContentTBS: the reading and its headers).</summary>
    private const int SignedBytes = 400;

    /// <summary>
    /// Microseconds per verification: the fastest of five rounds of <paramref name="count"/> (after one uncounted), timed
    /// on one thread while the run is otherwise idle, so that what else the machine did is not counted.
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
        var fastest = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var start = Stopwatch.GetTimestamp();
            Verify(publicKey, content, signature, count);
            fastest = Math.Min(fastest, Stopwatch.GetElapsedTime(start).TotalMicroseconds / count);
        }

        return fastest;
    }

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
