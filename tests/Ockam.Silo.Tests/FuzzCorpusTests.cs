using Ockam.Fuzz;

namespace Ockam.Silo.Tests;

/// <summary>
/// The fuzzing corpus (fuzz/corpus), replayed in the default test run: every decoder's seeds still decode (so the
/// corpus still starts the fuzzer deep in each format), and every input a fuzzer once found (regression-*) is refused
/// with the decoder's typed error or accepted — never another exception.
/// </summary>
public sealed class FuzzCorpusTests : IDisposable
{
    private readonly Harnesses harnesses = new();

    public static TheoryData<string> Names()
    {
        using var harnesses = new Harnesses();
        return [.. harnesses.All.Select(h => h.Name)];
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Seeds_decode_and_findings_are_refused_cleanly(string name)
    {
        var harness = harnesses.Named(name);
        var inputs = Directory.GetFiles(Path.Combine(CorpusRoot(), name));
        Assert.Contains(inputs, i => Path.GetFileName(i).StartsWith("seed-", StringComparison.Ordinal));
        foreach (var input in inputs)
        {
            var accepted = harness.Run(File.ReadAllBytes(input));
            if (Path.GetFileName(input).StartsWith("seed-", StringComparison.Ordinal))
            {
                Assert.True(accepted, $"{name}: seed {Path.GetFileName(input)} no longer decodes");
            }
        }
    }

    [Fact]
    public void Every_harness_has_a_corpus_and_every_corpus_a_harness()
    {
        var corpora = Directory.GetDirectories(CorpusRoot()).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(harnesses.All.Select(h => h.Name).Order(StringComparer.Ordinal), corpora);
    }

    public void Dispose() => harnesses.Dispose();

    private static string CorpusRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "fuzz", "corpus");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"fuzz/corpus not found above {AppContext.BaseDirectory}");
    }
}
