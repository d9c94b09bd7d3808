using Ockam.Identity.Policies;
using Ockam.Messaging.Api;

namespace Ockam.Silo.Gateway;

/// <summary>
/// The ABAC policy each operation is checked against: <see cref="GatewayOperations"/>' defaults, with the
/// operator's replacements by operation name (<c>Ockam:Policies:create-token</c>).
/// </summary>
internal sealed class GatewayPolicies
{
    private readonly Dictionary<ApiOperation, Policy> policies;
    private readonly HashSet<ApiOperation> open;

    public GatewayPolicies(IReadOnlyDictionary<string, string> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        policies = GatewayOperations.All.ToDictionary(o => o.Operation, o => Policy.Parse(o.DefaultPolicy));
        open = GatewayOperations.All.Where(o => o.DefaultPolicy == "true").Select(o => o.Operation).ToHashSet();
        foreach (var (name, source) in overrides)
        {
            var operation = GatewayOperations.All.FirstOrDefault(o => o.Name == name)?.Operation
                ?? throw new InvalidOperationException($"Ockam:Policies names an unknown operation '{name}'");
            policies[operation] = Policy.Parse(source);
            // Only ever fewer: an operation the defaults guard (a room's, say) keeps its standing look-up even if an
            // operator opens it, since its handler may judge the caller's attributes.
            if (source.Trim() != "true")
            {
                open.Remove(operation);
            }
        }
    }

    /// <summary>Allowed to anyone whatever its attributes: no need to look up the caller's standing.</summary>
    public bool IsOpen(ApiOperation operation) => open.Contains(operation);

    public Policy For(ApiOperation operation) => policies.TryGetValue(operation, out var policy) ? policy : Policy.DenyAll;
}
