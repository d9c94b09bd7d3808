using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ockam.Identity.Files;

namespace Ockam.Silo.Cluster;

/// <summary>
/// The one certificate every silo of a cluster presents and pins (silo-to-silo and gateway TLS). It is either
/// the operator's PKCS#12 file or, when none is named, <c>cluster.pfx</c> in the data directory, generated on
/// the first start and reused afterwards; operators copy that file to every silo of the cluster.
/// </summary>
internal sealed class ClusterCertificate : IDisposable
{
    /// <summary>The generated certificate's file name in the data directory.</summary>
    public const string FileName = "cluster.pfx";

    private const string SubjectName = "CN=ockam-cluster";

    // A pinned certificate is never checked against a CA or a clock by a peer that trusts it only by its bytes,
    // so a long validity costs nothing; replacing it means restarting every silo with the new file anyway.
    private static readonly TimeSpan Validity = TimeSpan.FromDays(100 * 365);

    private static readonly string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private static readonly string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private readonly byte[] pin;

    private ClusterCertificate(X509Certificate2 certificate, string path, bool created)
    {
        Certificate = certificate;
        Path = path;
        Created = created;
        pin = certificate.GetCertHash(HashAlgorithmName.SHA256);
    }

    /// <summary>The certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Where it was loaded from (or written to).</summary>
    public string Path { get; }

    /// <summary>True when this start generated it.</summary>
    public bool Created { get; }

    /// <summary>SHA-256 of the certificate's DER encoding, as hex: what operators compare between silos.</summary>
    public string Fingerprint => Convert.ToHexStringLower(pin);

    /// <summary>
    /// Loads <paramref name="configuredPath"/> when it is set (it must exist), otherwise the data directory's
    /// <see cref="FileName"/>, generating it first if it is missing.
    /// </summary>
    public static async Task<ClusterCertificate> LoadOrCreateAsync(string dataDirectory, string? configuredPath, string? password, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        ArgumentNullException.ThrowIfNull(time);
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            if (!File.Exists(configuredPath))
            {
                throw new InvalidOperationException($"cluster certificate {configuredPath} (Ockam:ClusterCertificate) does not exist");
            }

            return new ClusterCertificate(Load(configuredPath, password), configuredPath, created: false);
        }

        var path = System.IO.Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            // The generated file holds the private key in the clear, like the vault: refuse it once others can read it.
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(AtomicFile.OwnerOnly | UnixFileMode.UserExecute)) != 0)
            {
                throw new InvalidOperationException($"cluster certificate {path} is accessible to other users ({File.GetUnixFileMode(path)}); it must be owner-only (chmod 600)");
            }

            return new ClusterCertificate(Load(path, password), path, created: false);
        }

        using (var generated = Generate(time))
        {
            await WriteAtomicallyAsync(path, generated.Export(X509ContentType.Pkcs12, password), cancellationToken).ConfigureAwait(false);
        }

        // Read back what was written, so that a first start runs on exactly the bytes later starts will load.
        return new ClusterCertificate(Load(path, password), path, created: true);
    }

    /// <summary>
    /// True when <paramref name="peer"/> is this very certificate. The peer proved it holds the private key in
    /// the TLS handshake; comparing the whole certificate's hash pins that key without any trust store.
    /// </summary>
    public bool IsPinned(X509Certificate2? peer) =>
        peer is not null && CryptographicOperations.FixedTimeEquals(pin, peer.GetCertHash(HashAlgorithmName.SHA256));

    public void Dispose() => Certificate.Dispose();

    private static X509Certificate2 Load(string path, string? password)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"cluster certificate {path} cannot be read (wrong Ockam:ClusterCertificatePassword?): {e.Message}", e);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"cluster certificate {path} has no private key: every silo must present the certificate, so it needs the key");
        }

        return certificate;
    }

    private static X509Certificate2 Generate(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(SubjectName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));

        // Each silo is both a TLS server (inbound) and a TLS client (outbound) with this one certificate.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthentication), new Oid(ClientAuthentication)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now.AddMinutes(-5), now.Add(Validity));
    }

    /// <summary>
    /// Never replaces a file: two silos sharing one data directory may both get here on a first start; the second
    /// one's file is dropped and it loads the first one's.
    /// </summary>
    private static async Task WriteAtomicallyAsync(string path, byte[] contents, CancellationToken cancellationToken)
    {
        try
        {
            await AtomicFile.CreateAsync(path, contents, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contents);
        }
    }
}
