using System.Text.Json.Serialization;

namespace Ockam.Cli;

/// <summary>Source-generated JSON for the tool's files and its <c>--json</c> output.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(SiloSettings))]
[JsonSerializable(typeof(NodeConfig))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class CliJson : JsonSerializerContext;
