using Ockam.Identity.Policies;
using Ockam.Messaging.Api;

namespace Ockam.Silo.Gateway;

/// <summary>
/// The ABAC policy each operation is checked against, over the caller's verified identity and credentials
/// (<c>subject.*</c>), the operation (<c>action.operation</c>) and what it touches (<c>resource.*</c>).
/// Operators may replace any of them (<c>Ockam:Policies:create-token</c>).
/// </summary>
internal sealed class GatewayPolicies
{
    /// <summary>A member in good standing on the authority's records now.</summary>
    private const string Member = """(= subject.ockam.member "true")""";

    /// <summary>
    /// Least privilege by default: an identity that is not a member in good standing may only enrol and read
    /// the authority and its revocation list (and ask for a credential, which the authority refuses it).
    /// </summary>
    public static readonly IReadOnlyDictionary<ApiOperation, string> Defaults = new Dictionary<ApiOperation, string>
    {
        [ApiOperation.Enroll] = "true",
        [ApiOperation.GetCredential] = "true",
        [ApiOperation.PublishIdentity] = $"(and {Member} (= subject.identifier resource.identifier))",
        [ApiOperation.CreateToken] = """(or (= subject.ockam.role "enroller") (= subject.ockam.role "admin"))""",
        [ApiOperation.Revoke] = """(= subject.ockam.role "admin")""",
        [ApiOperation.Readmit] = """(= subject.ockam.role "admin")""",
        [ApiOperation.GetRevocationList] = "true",
        [ApiOperation.GetAuthority] = "true",
        [ApiOperation.CreateRelay] = """(or (= subject.ockam.relay resource.relay) (= subject.ockam.relay "*"))""",
        [ApiOperation.ListenRelay] = Member,
        [ApiOperation.AcknowledgeRelay] = Member,
        [ApiOperation.GetRelay] = Member,
        [ApiOperation.PublishGroupKeys] = Member,
        [ApiOperation.GetGroupKeys] = Member,
        [ApiOperation.CreateRoom] = Member,
        [ApiOperation.CommitRoom] = Member,
        [ApiOperation.SendRoom] = Member,
        [ApiOperation.CatchUpRoom] = Member,
        [ApiOperation.GetRoom] = Member,
        [ApiOperation.CreateTopic] = $"""(and {Member} (or (= subject.ockam.topic resource.topic) (= subject.ockam.topic "*")))""",
        [ApiOperation.SubscribeTopic] = Member,
    };

    private readonly Dictionary<ApiOperation, Policy> policies;
    private readonly HashSet<ApiOperation> open;

    public GatewayPolicies(IReadOnlyDictionary<string, string> overrides)
    {
        policies = Defaults.ToDictionary(p => p.Key, p => Policy.Parse(p.Value));
        open = Defaults.Where(p => p.Value == "true").Select(p => p.Key).ToHashSet();
        foreach (var (name, source) in overrides)
        {
            var operation = Parse(name);
            policies[operation] = Policy.Parse(source);
            if (source.Trim() == "true")
            {
                open.Add(operation);
            }
            else
            {
                open.Remove(operation);
            }
        }
    }

    /// <summary>Allowed to anyone whatever its attributes: no need to look up the caller's standing.</summary>
    public bool IsOpen(ApiOperation operation) => open.Contains(operation);

    public Policy For(ApiOperation operation) => policies.TryGetValue(operation, out var policy) ? policy : Policy.DenyAll;

    /// <summary>"create-token" → <see cref="ApiOperation.CreateToken"/>.</summary>
    public static string Name(ApiOperation operation) => operation switch
    {
        ApiOperation.Enroll => "enroll",
        ApiOperation.GetCredential => "get-credential",
        ApiOperation.PublishIdentity => "publish-identity",
        ApiOperation.CreateToken => "create-token",
        ApiOperation.Revoke => "revoke",
        ApiOperation.GetRevocationList => "get-revocation-list",
        ApiOperation.GetAuthority => "get-authority",
        ApiOperation.CreateRelay => "create-relay",
        ApiOperation.ListenRelay => "listen-relay",
        ApiOperation.AcknowledgeRelay => "acknowledge-relay",
        ApiOperation.GetRelay => "get-relay",
        ApiOperation.PublishGroupKeys => "publish-group-keys",
        ApiOperation.GetGroupKeys => "get-group-keys",
        ApiOperation.CreateRoom => "create-room",
        ApiOperation.CommitRoom => "commit-room",
        ApiOperation.SendRoom => "send-room",
        ApiOperation.CatchUpRoom => "catch-up-room",
        ApiOperation.GetRoom => "get-room",
        ApiOperation.CreateTopic => "create-topic",
        ApiOperation.SubscribeTopic => "subscribe-topic",
        ApiOperation.Readmit => "readmit",
        _ => operation.ToString(),
    };

    private static ApiOperation Parse(string name) =>
        Enum.GetValues<ApiOperation>().FirstOrDefault(o => Name(o) == name) is var operation && Name(operation) == name
            ? operation
            : throw new InvalidOperationException($"Ockam:Policies names an unknown operation '{name}'");
}
