using System.Text.Json.Serialization;

namespace Ockam.Cli;

/// <summary>Source-generated JSON for the tool's files and its <c>--json</c> output.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SiloSettings))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class CliJson : JsonSerializerContext;
