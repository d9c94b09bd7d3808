namespace Ockam.Fuzz;

/// <summary>
/// One decoder under fuzzing: <see cref="Run"/> takes any bytes and answers whether the decoder accepted them (true)
/// or refused them with its typed error (false, caught inside); any other exception, a hang or a crash is a finding.
/// </summary>
internal sealed record Harness(string Name, string Decodes, Func<byte[], bool> Run);
