using System.Text.Json;
using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Mail;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Portals;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Fuzz;

/// <summary>
/// The seed corpus: for each harness, well-formed values made by the project's own encoders (real identities,
/// credentials, handshake messages) or taken from the public MLS vectors, so that mutations start deep in the format.
/// </summary>
internal static class Seeds
{
    public static async Task<Dictionary<string, List<byte[]>>> MakeAsync(Harnesses harnesses, Handshakes handshakes, ChannelData channel, string mlsMessagesVector)
    {
        using var vault = new SoftwareVault();
        var identities = new IdentityManager(vault, TimeProvider.System);
        var authority = await identities.CreateAsync();
        var device = await identities.CreateAsync();
        var rotated = await identities.RotateAsync(device);
        var signing = await identities.CreatePurposeKeyAsync(authority, Purpose.CredentialSigning, TimeSpan.FromDays(30));
        var issuer = new CredentialIssuer(vault, authority, signing, TimeProvider.System);
        var presentation = issuer.Issue(device.Identifier, new Dictionary<string, byte[]> { ["ockam.role"] = "device"u8.ToArray() }, TimeSpan.FromDays(1), 7);
        var revocations = issuer.IssueRevocationList(3, [1, 2, 40], TimeSpan.FromDays(1));
        var history = rotated.History.Encode();
        var attestation = signing.Attestation.Encode();
        var payload = IdentityProof.Decode(new IdentityProof(ByteString.CopyFrom(history), ByteString.CopyFrom(attestation), [ByteString.CopyFrom(presentation.Encode())]).Encode());
        using var wrapped = new KeyMaterial(KeyType.Ed25519, new byte[32], KeyPersistence.Persistent, SodiumCurve25519.Instance, new SecretMemory());

        var seeds = new Dictionary<string, List<byte[]>>
        {
            ["change-data"] = [.. rotated.History.Changes.Select(c => c.EncodedData.ToArray())],
            ["change-history"] = [history, device.History.Encode()],
            ["attestation"] = [attestation],
            ["credential-data"] = [presentation.Credential.EncodedData.ToArray()],
            ["presentation"] = [presentation.Encode()],
            ["revocation-list-data"] = [revocations.EncodedData.ToArray()],
            ["revocation-list"] = [revocations.Encode()],
            ["delegation"] = [Delegation.Encode(["ockam.role", "floor"])],
            ["sealed-mail"] = [new SealedMail(history, attestation, [presentation.Encode()], device.Identifier, new byte[32], "phone", 7, new byte[32], new byte[48]).Encode()],
            ["vault-file"] = [VaultFile.Encode([KeyValuePair.Create("key", wrapped)])],
            ["policy"] = [
                "(and (= subject.ockam.role \"sensor\") (in resource.topic [\"heart-rate\" \"spo2\"]))"u8.ToArray(),
                "(or (not (exists? subject.banned)) (>= subject.level 3))"u8.ToArray(),
            ],
            ["message"] = [MessageCodec.Encode(new Message(Route.Of(Address.Local("api"), Address.Local("relay")), Route.Of(Address.Local("reply")), "reading"u8.ToArray()))],
            ["frames"] = [[0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0]],
            ["identity-proof"] = [payload.Encode()],
            ["handshake"] = [.. handshakes.Seeds()],
            ["channel-data"] = [.. channel.Seeds()],
            ["api-request"] = [
                ApiRequest.Create(1, new CreateRelayRequest("phone")).Encode(),
                ApiRequest.Create(2, new AcknowledgeRelayRequest("phone", [1, 2, 3])).Encode(),
                ApiRequest.Create(3, new SendRoomRequest(GroupId.Topic("heart-rate"), "ciphertext"u8.ToArray())).Encode(),
                ApiRequest.Create(4, new EnrollRequest("token")).Encode(),
                ApiRequest.Create(5, new ClaimKeyPackageRequest(device.Identifier.ToString())).Encode(),
            ],
            ["api-response"] = [new ApiResponse(1, ApiStatus.Ok, ApiBody.Empty).Encode(), new ApiResponse(2, ApiStatus.Denied, ApiBody.Empty, "not a member").Encode()],
            ["relay-delivery"] = [new RelayDelivery("phone", 9, MessageCodec.Encode(new Message(Route.Of(Address.Local("app")), Route.Empty, "x"u8.ToArray())), false, device.Identifier.ToString()).Encode()],
            ["portal-message"] =
            [
                new PortalOpen(16 * 1024).Encode(),
                new PortalOpened(16 * 1024).Encode(),
                new PortalData(0, "x"u8.ToArray()).Encode(),
                new PortalCredit(4096).Encode(),
                new PortalEnd(3).Encode(),
                new PortalReset("closed").Encode(),
            ],
            ["group-delivery"] = [new GroupDelivery(GroupId.Room("kitchen"), GroupDeliveryKind.Message, 4, "ciphertext"u8.ToArray()).Encode()],
            ["group-roles"] = [GroupRoles.Of([authority.Identifier, device.Identifier]).ToExtension().ExtensionData.ToArray()],
        };

        foreach (var (name, list) in MlsSeeds(mlsMessagesVector))
        {
            seeds[name] = list;
        }

        var missing = harnesses.All.Select(h => h.Name).Except(seeds.Keys).ToList();
        return missing.Count == 0 ? seeds : throw new InvalidOperationException($"no seeds for {string.Join(", ", missing)}");
    }

    /// <summary>The first entries of RFC 9420's messages vector (tests/vectors/mls/messages.json), unwrapped where a harness reads the bare structure.</summary>
    private static IEnumerable<(string Name, List<byte[]> Seeds)> MlsSeeds(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var entries = document.RootElement.EnumerateArray().Take(2).ToList();
        List<byte[]> Field(string name, int skip = 0) => [.. entries.Select(e => Convert.FromHexString(e.GetProperty(name).GetString()!)[skip..])];

        // An MLSMessage starts with its version and wire format, two bytes each.
        const int Header = 4;
        yield return ("mls-message", [.. Field("mls_welcome"), .. Field("mls_group_info"), .. Field("mls_key_package"), .. Field("public_message_commit"), .. Field("private_message")]);
        yield return ("key-package", Field("mls_key_package", Header));
        yield return ("group-info", Field("mls_group_info", Header));
        yield return ("ratchet-tree", Field("ratchet_tree"));
        yield return ("group-secrets", Field("group_secrets"));
        yield return ("commit", Field("commit"));
    }
}
