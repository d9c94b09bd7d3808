using System.Security.Authentication;
using Orleans.Connections.Security;

namespace Ockam.Silo.Cluster;

/// <summary>
/// Mutual TLS on the Orleans silo-to-silo connections (and the gateway's, when it listens), pinned to the
/// cluster certificate: a peer is accepted only if it presents that very certificate and proves its key.
/// Without this, anyone who reaches the silo port can send grain calls as a silo, the authority's included.
/// </summary>
internal static class ClusterTls
{
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, ClusterCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(certificate);
        return silo.UseTls(options => Configure(options, certificate));
    }

    internal static void Configure(TlsOptions options, ClusterCertificate certificate)
    {
        options.LocalCertificate = certificate.Certificate;
        options.SslProtocols = SslProtocols.Tls13;

        // Inbound: a connecting peer must present a certificate (no certificate, no connection).
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;

        // Outbound: always present ours; the other silo requires it.
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;

        // Both directions: the certificate must be the pinned one. The OS trust store and the platform's chain
        // errors (self-signed, no host name) are deliberately not consulted: this callback is the whole decision.
        options.RemoteCertificateValidation = (peer, _, _) => certificate.IsPinned(peer);
    }
}
