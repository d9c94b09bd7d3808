using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ockam.Silo.Tests.Support;

/// <summary>
/// An attacker at an Orleans port. After connecting (and a TLS handshake, for the TLS probes) it sends nothing and
/// waits: a silo that accepted the connection sits waiting for the Orleans preamble, so the connection stays open;
/// a silo that refused the peer closes it. That makes "refused" observable without speaking Orleans' protocol.
/// </summary>
internal static class SiloPortProbe
{
    /// <summary>Long enough for a refusal (a TLS alert, an abort) to arrive on loopback, many times over.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(3);

    /// <summary>A TLS client presenting <paramref name="clientCertificate"/> (or none), accepting any server certificate.</summary>
    public static async Task<bool> TlsIsRefusedAsync(int port, X509Certificate2? clientCertificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "ockam-cluster",
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
#pragma warning disable CA5359 // An attacker trusts whatever server it reaches: the silo's certificate is not what is tested.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
            LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate!,
        };
        try
        {
            using var timeout = new CancellationTokenSource(Wait);
            await tls.AuthenticateAsClientAsync(options, timeout.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return true;
        }

        // With TLS 1.3 the server judges the client's certificate after the client's side of the handshake is done:
        // its verdict arrives as an alert (or a close) on the first read.
        return await IsClosedAsync(tls);
    }

    /// <summary>A plain TCP client that sends a frame shaped like Orleans' connection preamble (length, then body).</summary>
    public static async Task<bool> PlainPreambleIsRefusedAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        var frame = new byte[4 + 64];
        BinaryPrimitives.WriteInt32LittleEndian(frame, 64);
        RandomNumberGenerator.Fill(frame.AsSpan(4));
        try
        {
            await stream.WriteAsync(frame);
        }
        catch (IOException)
        {
            return true;
        }

        return await IsClosedAsync(stream);
    }

    /// <summary>A self-signed certificate usable for TLS client authentication, unrelated to any cluster's.</summary>
    public static X509Certificate2 StrangerCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ockam-cluster", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private static async Task<bool> IsClosedAsync(Stream stream)
    {
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(Wait);
        try
        {
            return await stream.ReadAsync(buffer, timeout.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false; // still open: the silo is waiting for a preamble from an accepted peer
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return true;
        }
    }
}
