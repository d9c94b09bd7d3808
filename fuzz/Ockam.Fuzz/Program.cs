using Ockam.Fuzz;

// ockam-fuzz list | seed CORPUS MLS-VECTOR | fuzz HARNESS | replay HARNESS PATH...
// `fuzz` is the target afl-fuzz runs (fuzz/run.sh); `replay` runs saved inputs in this process and says which fail.
if (args is ["fuzz", var fuzzed])
{
    // Instrumented code may run only once SharpFuzz has mapped afl's coverage memory, that is inside Run: so the
    // harnesses (which make keys with the instrumented vault) are built on the first input.
    Harnesses? lazy = null;
    Harness? target = null;
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        lazy ??= new Harnesses();
        target ??= lazy.Named(fuzzed);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        _ = target.Run(buffer.ToArray());
    });
    return 0;
}

using var harnesses = new Harnesses();
switch (args)
{
    case ["list"]:
        foreach (var harness in harnesses.All)
        {
            Console.WriteLine($"{harness.Name}\t{harness.Decodes}");
        }

        return 0;

    case ["seed", var corpus, var mlsVector]:
        using (var handshakes = new Handshakes())
        using (var channel = new ChannelData())
        {
            foreach (var (name, seeds) in await Seeds.MakeAsync(harnesses, handshakes, channel, mlsVector))
            {
                var directory = Directory.CreateDirectory(Path.Combine(corpus, name));
                for (var i = 0; i < seeds.Count; i++)
                {
                    await File.WriteAllBytesAsync(Path.Combine(directory.FullName, $"seed-{i}"), seeds[i]);
                }
            }
        }

        return 0;

    case ["replay", var name, .. var paths]:
        var replayed = harnesses.Named(name);
        var failures = 0;
        var count = 0;
        var accepted = 0;
        foreach (var file in paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p]))
        {
            count++;
            try
            {
                accepted += replayed.Run(await File.ReadAllBytesAsync(file)) ? 1 : 0;
            }
            catch (Exception e)
            {
                failures++;
                Console.Error.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
            }
        }

        Console.WriteLine($"{name}: {count} inputs, {accepted} accepted, {count - accepted - failures} refused, {failures} failed");
        return failures == 0 ? 0 : 1;

    default:
        Console.Error.WriteLine("usage: Ockam.Fuzz list | seed CORPUS MLS-VECTOR | fuzz HARNESS | replay HARNESS PATH...");
        return 2;
}
