using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Mail;
using Ockam.Identity.Mls;
using Ockam.Identity.Policies;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Portals;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Transports;
using Ockam.Silo.Gateway;

namespace Ockam.Fuzz;

/// <summary>
/// Every decoder that reads bytes a stranger, a member or the service can send, each with the one refusal it may
/// answer with. The harnesses run in one process; the two that need keys (a handshake, a channel) make them once.
/// </summary>
internal sealed class Harnesses : IDisposable
{
    private readonly Handshakes handshakes = new();
    private readonly ChannelData channelData = new();

    public Harnesses()
    {
        All =
        [
            Decode("change-data", "an identity change's signed data", b => ChangeData.Decode(b)),
            Decode("change-history", "an identity's change history", b => ChangeHistory.Decode(b)),
            Decode("attestation", "a purpose key attestation", b => PurposeKeyAttestation.Decode(b)),
            Decode("credential-data", "a credential's signed data", b => CredentialData.Decode(b)),
            Decode("presentation", "a credential presentation", b => CredentialPresentation.Decode(b)),
            Decode("revocation-list-data", "a revocation list's signed data", b => RevocationListData.Decode(b)),
            Decode("revocation-list", "a signed revocation list", b => RevocationList.Decode(b)),
            Decode("delegation", "a delegation attribute", b => Delegation.Decode(b)),
            Decode("sealed-mail", "sealed mail for an identity", b => SealedMail.Decode(b)),
            Decode("vault-file", "a vault's key file", b =>
            {
                foreach (var key in VaultFile.Decode(b, SodiumCurve25519.Instance, new SecretMemory()).Values)
                {
                    key.Dispose();
                }
            }),
            Refusing<PolicyParseException>("policy", "a policy's text (UTF-8)", b => Policy.Parse(System.Text.Encoding.UTF8.GetString(b))),
            Decode("message", "a routed message (transport frame payload)", b => MessageCodec.Decode(b, new TransportOptions().MaxFrameSize)),
            Refusing<TransportException>("frames", "a transport's byte stream cut into frames", ReadFrames),
            Decode("identity-proof", "a secure channel's identity proof", b => IdentityProof.Decode(b)),
            new("handshake", "Noise XX message 1 (responder) or 2 (initiator), chosen by the first byte", handshakes.Run),
            new("channel-data", "an encrypted channel message", channelData.Run),
            Decode("api-request", "an edge API request and its body, as the gateway reads them", ReadRequest),
            Decode("api-response", "an edge API response", b => ApiResponse.Decode(b)),
            Decode("relay-delivery", "a relay's delivery to its owner", b => RelayDelivery.Decode(b)),
            Decode("group-delivery", "a group's live delivery to a member", b => GroupDelivery.Decode(b)),
            Decode("portal-message", "a portal stream's message (inside an end-to-end channel)", b => PortalMessage.Decode(b)),
            Decode("mls-message", "an MLSMessage (public, private, Welcome, GroupInfo, KeyPackage)", b => MlsMessage.Decode(b)),
            Decode("key-package", "an MLS KeyPackage", b => KeyPackage.Decode(b)),
            Decode("ratchet-tree", "an MLS ratchet tree", b => RatchetTree.Decode(b)),
            Decode("commit", "an MLS Commit", b => Commit.Decode(b)),
            Decode("group-info", "an MLS GroupInfo", b => GroupInfo.Decode(b)),
            Decode("group-secrets", "an MLS Welcome's GroupSecrets", b => GroupSecrets.Decode(b)),
            Decode("group-roles", "a group's roles extension", b => GroupRoles.Decode(b)),
        ];
    }

    public IReadOnlyList<Harness> All { get; }

    public Harness Named(string name) =>
        All.FirstOrDefault(h => h.Name == name) ?? throw new ArgumentException($"no harness named {name}; one of: {string.Join(", ", All.Select(h => h.Name))}", nameof(name));

    public void Dispose()
    {
        handshakes.Dispose();
        channelData.Dispose();
    }

    private static Harness Decode(string name, string decodes, Action<byte[]> decode) => Refusing<OckamDecodeException>(name, decodes, decode);

    /// <summary>A harness whose decoder refuses with <typeparamref name="TRefusal"/>: accepted unless it throws that.</summary>
    private static Harness Refusing<TRefusal>(string name, string decodes, Action<byte[]> decode)
        where TRefusal : Exception => new(name, decodes, bytes =>
    {
        try
        {
            decode(bytes);
            return true;
        }
        catch (TRefusal)
        {
            return false;
        }
    });

    private static void ReadRequest(byte[] bytes)
    {
        // As the gateway: an operation it has no row for is answered "unsupported" without reading the body.
        var request = ApiRequest.Decode(bytes);
        GatewayOperations.Find(request.Operation)?.Read(request.Body);
    }

    private static void ReadFrames(byte[] bytes)
    {
        var link = new StreamFrameLink(new MemoryStream(bytes), maxFrameSize: 4096);
        while (link.ReceiveAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is not null)
        {
        }
    }
}
