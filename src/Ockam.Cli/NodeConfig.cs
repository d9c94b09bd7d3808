namespace Ockam.Cli;

/// <summary>
/// What <c>ockam node run</c> starts, from one JSON file (docs/portals.md shows one): relays to receive messages on,
/// portal outlets and portal inlets.
/// </summary>
/// <param name="Relays">Relays to claim and print messages from, as <c>ockam listen</c> does.</param>
/// <param name="Accept">Who may send to those relays (an ABAC policy); any member by default.</param>
/// <param name="Outlets">Portal outlets, as <c>ockam portal outlet</c>.</param>
/// <param name="Inlets">Portal inlets, as <c>ockam portal inlet</c>.</param>
internal sealed record NodeConfig(
    IReadOnlyList<string>? Relays = null,
    string? Accept = null,
    IReadOnlyList<OutletConfig>? Outlets = null,
    IReadOnlyList<InletConfig>? Inlets = null);

/// <summary>A portal outlet: reached through <paramref name="Relay"/>, to <paramref name="To"/> only, for peers satisfying <paramref name="Allow"/>.</summary>
internal sealed record OutletConfig(string Relay, string To, string Allow);

/// <summary>A portal inlet: listening on <paramref name="From"/>, to the outlet behind <paramref name="Via"/>, whose node must satisfy <paramref name="Allow"/>.</summary>
internal sealed record InletConfig(string From, string Via, string Allow);
