using System.Text.Json;
using Ockam.Identity.Files;
using Ockam.Identity.Identities;

namespace Ockam.Cli;

/// <summary>The silo a node talks to, kept in <c>silo.json</c> in its home: where, and who it must prove to be.</summary>
internal sealed record SiloSettings(string Address, string Identifier)
{
    public static string PathIn(string home) => Path.Combine(home, "silo.json");

    public static SiloSettings? Load(string home)
    {
        var path = PathIn(home);
        return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), CliJson.Default.SiloSettings) : null;
    }

    public Task SaveAsync(string home, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(PathIn(home), JsonSerializer.SerializeToUtf8Bytes(this, CliJson.Default.SiloSettings), cancellationToken);

    public Identifier ParsedIdentifier => Ockam.Identity.Identities.Identifier.Parse(Identifier);
}
