using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Silo.Cluster;
using Ockam.Silo.Tests.Support;

namespace Ockam.Silo.Tests;

/// <summary>The cluster certificate: generated once, owner-only, reused; an operator's file taken as given.</summary>
// The file's permissions are POSIX modes; the project runs its tests on Linux.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ClusterCertificateTests : IDisposable
{
    private readonly TempDirectory data = new();

    [Fact]
    public async Task The_first_start_writes_an_owner_only_certificate_that_later_starts_reuse()
    {
        using var created = await ClusterCertificate.LoadOrCreateAsync(data.Path, null, null, TimeProvider.System, default);
        var path = Path.Combine(data.Path, ClusterCertificate.FileName);
        var bytes = await File.ReadAllBytesAsync(path);

        Assert.True(created.Created);
        Assert.Equal(path, created.Path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(data.Path)); // no temporary file left behind
        Assert.True(created.Certificate.HasPrivateKey);
        Assert.True(created.Certificate.NotAfter > DateTime.UtcNow.AddYears(50));

        using var reused = await ClusterCertificate.LoadOrCreateAsync(data.Path, null, null, TimeProvider.System, default);
        Assert.False(reused.Created);
        Assert.Equal(created.Fingerprint, reused.Fingerprint);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task A_silo_starting_on_a_data_directory_that_has_the_certificate_pins_it_instead_of_generating_another()
    {
        string fingerprint;
        using (var earlier = await ClusterCertificate.LoadOrCreateAsync(data.Path, null, null, TimeProvider.System, default))
        {
            fingerprint = earlier.Fingerprint;
        }

        await using var silo = await RunningSilo.StartAsync(data.Path, extraArgs: ["--cluster-tls", "true"]);
        var pinned = silo.Services.GetRequiredService<ClusterCertificate>();
        Assert.Equal(fingerprint, pinned.Fingerprint);
        Assert.False(pinned.Created);
    }

    [Fact]
    public async Task A_generated_certificate_others_can_read_is_refused()
    {
        (await ClusterCertificate.LoadOrCreateAsync(data.Path, null, null, TimeProvider.System, default)).Dispose();
        File.SetUnixFileMode(Path.Combine(data.Path, ClusterCertificate.FileName), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => ClusterCertificate.LoadOrCreateAsync(data.Path, null, null, TimeProvider.System, default));
        Assert.Contains("owner-only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_certificate_is_loaded_with_its_password_and_pins_only_itself()
    {
        using var source = SiloPortProbe.StrangerCertificate();
        var path = Path.Combine(data.Path, "operator.pfx");
        await File.WriteAllBytesAsync(path, source.Export(X509ContentType.Pkcs12, "s3cret"));

        using var loaded = await ClusterCertificate.LoadOrCreateAsync(data.Path, path, "s3cret", TimeProvider.System, default);
        Assert.False(loaded.Created);
        Assert.Equal(path, loaded.Path);
        Assert.False(File.Exists(Path.Combine(data.Path, ClusterCertificate.FileName)));
        Assert.True(loaded.IsPinned(source));
        using var other = SiloPortProbe.StrangerCertificate();
        Assert.False(loaded.IsPinned(other));
        Assert.False(loaded.IsPinned(null));

        await Assert.ThrowsAsync<InvalidOperationException>(() => ClusterCertificate.LoadOrCreateAsync(data.Path, path, "wrong", TimeProvider.System, default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => ClusterCertificate.LoadOrCreateAsync(data.Path, Path.Combine(data.Path, "missing.pfx"), null, TimeProvider.System, default));
    }

    public void Dispose() => data.Dispose();
}
