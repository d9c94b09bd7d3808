using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;

namespace Ockam.Silo.Gateway;

/// <summary>
/// Every operation of the edge API in one table: its name, request (and so response) type, default policy, the
/// resource attributes that policy sees, a check on the request alone, and its handler. Adding an operation is a
/// request record in <c>Ockam.Messaging.Api.Operations</c> and a row here.
/// </summary>
/// <remarks>
/// Policies see the caller's standing at the authority now (<c>subject.*</c>, <c>subject.ockam.member</c>),
/// <c>action.operation</c> (the name) and <c>resource.*</c>. Least privilege by default: an identity that is not a
/// member in good standing may only enrol and read the authority and its revocation list (and ask for a
/// credential, which the authority refuses it). Operators replace a policy by name (<c>Ockam:Policies:create-token</c>).
/// </remarks>
internal static class GatewayOperations
{
    /// <summary>A member in good standing on the authority's records now.</summary>
    private const string Member = """(= subject.ockam.member "true")""";
    private const string Admin = """(= subject.ockam.role "admin")""";

    public static IReadOnlyList<GatewayOperation> All { get; } =
    [
        GatewayOperation.Of<EnrollRequest, CredentialResponse>("enroll", "true", EnrollmentHandlers.EnrollAsync),
        GatewayOperation.Of<GetCredentialRequest, CredentialResponse>("get-credential", "true", EnrollmentHandlers.GetCredentialAsync),
        GatewayOperation.Of<PublishIdentityRequest, EmptyResponse>(
            "publish-identity",
            $"(and {Member} (= subject.identifier resource.identifier))",
            EnrollmentHandlers.PublishIdentityAsync,
            resources: (request, input) => input.WithResource("identifier", request.History.Identifier.ToString())),
        GatewayOperation.Of<CreateTokenRequest, CreateTokenResponse>(
            "create-token", """(or (= subject.ockam.role "enroller") (= subject.ockam.role "admin"))""", EnrollmentHandlers.CreateTokenAsync),
        GatewayOperation.Of<RevokeRequest, RevocationListResponse>("revoke", Admin, EnrollmentHandlers.RevokeAsync),
        GatewayOperation.Of<GetRevocationListRequest, RevocationListResponse>("get-revocation-list", "true", EnrollmentHandlers.GetRevocationListAsync),
        GatewayOperation.Of<GetAuthorityRequest, GetAuthorityResponse>("get-authority", "true", EnrollmentHandlers.GetAuthorityAsync),
        GatewayOperation.Of<CreateRelayRequest, EmptyResponse>(
            "create-relay",
            """(or (= subject.ockam.relay resource.relay) (= subject.ockam.relay "*"))""",
            RelayHandlers.CreateAsync,
            resources: (request, input) => input.WithResource("relay", request.Relay),
            check: request => RelayHandlers.ValidName(request.Relay)),
        GatewayOperation.Of<ListenRelayRequest, EmptyResponse>(
            "listen-relay", Member, RelayHandlers.ListenAsync, (request, input) => input.WithResource("relay", request.Relay), request => RelayHandlers.ValidName(request.Relay)),
        GatewayOperation.Of<AcknowledgeRelayRequest, EmptyResponse>(
            "acknowledge-relay", Member, RelayHandlers.AcknowledgeAsync, (request, input) => input.WithResource("relay", request.Relay), request => RelayHandlers.ValidAcknowledgedName(request.Relay)),
        GatewayOperation.Of<GetRelayRequest, GetRelayResponse>(
            "get-relay", Member, RelayHandlers.GetAsync, (request, input) => input.WithResource("relay", request.Relay), request => RelayHandlers.ValidName(request.Relay)),
        GatewayOperation.Of<PublishGroupKeysRequest, EmptyResponse>("publish-group-keys", Member, GroupHandlers.PublishGroupKeysAsync),
        GatewayOperation.Of<GetGroupKeysRequest, GetGroupKeysResponse>("get-group-keys", Member, GroupHandlers.GetGroupKeysAsync),
        GatewayOperation.Of<PublishKeyPackagesRequest, PublishKeyPackagesResponse>("publish-key-packages", Member, KeyPackageHandlers.PublishAsync),
        GatewayOperation.Of<ClaimKeyPackageRequest, ClaimKeyPackageResponse>("claim-key-package", Member, KeyPackageHandlers.ClaimAsync),
        GatewayOperation.Of<CreateRoomRequest, EmptyResponse>("create-room", Member, GroupHandlers.CreateRoomAsync),
        GatewayOperation.Of<CommitRoomRequest, CommitRoomResponse>("commit-room", Member, GroupHandlers.CommitAsync, (request, input) => GroupHandlers.Topic(request.Group, input)),
        GatewayOperation.Of<SendRoomRequest, EmptyResponse>("send-room", Member, GroupHandlers.SendAsync, (request, input) => GroupHandlers.Topic(request.Group, input)),
        GatewayOperation.Of<CatchUpRoomRequest, CatchUpRoomResponse>("catch-up-room", Member, GroupHandlers.CatchUpAsync, (request, input) => GroupHandlers.Topic(request.Group, input)),
        GatewayOperation.Of<ListenRoomRequest, EmptyResponse>("listen-room", Member, GroupHandlers.ListenAsync, (request, input) => GroupHandlers.Topic(request.Group, input)),
        GatewayOperation.Of<GetRoomRequest, GetRoomResponse>("get-room", Member, GroupHandlers.GetAsync, (request, input) => GroupHandlers.Topic(request.Group, input)),
        GatewayOperation.Of<GetWelcomeRequest, GetWelcomeResponse>("get-welcome", Member, GroupHandlers.GetWelcomeAsync, (request, input) => GroupHandlers.Topic(request.Group, input)),
        GatewayOperation.Of<GetRoomTreeRequest, GetRoomTreeResponse>("get-room-tree", Member, GroupHandlers.GetTreeAsync, (request, input) => GroupHandlers.Topic(request.Group, input)),
        GatewayOperation.Of<CreateTopicRequest, EmptyResponse>(
            "create-topic",
            $"""(and {Member} (or (= subject.ockam.topic resource.topic) (= subject.ockam.topic "*")))""",
            GroupHandlers.CreateTopicAsync,
            (request, input) => GroupHandlers.Topic(request.Topic, input)),
        GatewayOperation.Of<SubscribeTopicRequest, EmptyResponse>("subscribe-topic", Member, GroupHandlers.SubscribeAsync, (request, input) => GroupHandlers.Topic(request.Topic, input)),
        GatewayOperation.Of<ReadmitRequest, EmptyResponse>("readmit", Admin, EnrollmentHandlers.ReadmitAsync),
    ];

    private static readonly Dictionary<ApiOperation, GatewayOperation> ByOperation = All.ToDictionary(o => o.Operation);

    public static GatewayOperation? Find(ApiOperation operation) => ByOperation.GetValueOrDefault(operation);

    /// <summary>"create-token" for <see cref="ApiOperation.CreateToken"/>.</summary>
    public static string Name(ApiOperation operation) => Find(operation)?.Name ?? operation.ToString();
}
