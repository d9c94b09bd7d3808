using System.Text.Json;

namespace Ockam.Testing;

/// <summary>Loads the public test vectors kept in the repository's tests/vectors folder.</summary>
internal static class TestVectors
{
    public static JsonDocument Load(string fileName)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "vectors", fileName);
            if (File.Exists(candidate))
            {
                return JsonDocument.Parse(File.ReadAllBytes(candidate));
            }
        }

        throw new FileNotFoundException($"test vector file {fileName} not found under any tests/vectors above {AppContext.BaseDirectory}");
    }

    public static byte[] Hex(this JsonElement element, string property) => Convert.FromHexString(element.GetProperty(property).GetString()!);

    /// <summary>Every test of every group, with its group.</summary>
    public static IEnumerable<(JsonElement Group, JsonElement Test)> WycheproofTests(JsonDocument document) =>
        from g in document.RootElement.GetProperty("testGroups").EnumerateArray()
        from t in g.GetProperty("tests").EnumerateArray()
        select (g, t);
}
