using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Transports;

namespace Ockam.Testing;

/// <summary>An edge node for tests: its own vault and identity, a TCP transport, channels to a silo's gateway.</summary>
internal sealed class Edge : IAsyncDisposable
{
    private readonly Node node = new();
    private readonly TcpTransport tcp;
    private readonly RunningSilo silo;
    private readonly bool ownsVault;

    private Edge(RunningSilo silo, SoftwareVault vault, LocalIdentity identity, PurposeKey staticKey, bool ownsVault)
    {
        this.silo = silo;
        this.ownsVault = ownsVault;
        Vault = vault;
        tcp = new TcpTransport(node);
        Identity = identity;
        StaticKey = staticKey;
    }

    public Node Node => node;

    public LocalIdentity Identity { get; }

    public PurposeKey StaticKey { get; }

    public Identifier Identifier => Identity.Identifier;

    public static async Task<Edge> CreateAsync(RunningSilo silo)
    {
        var vault = new SoftwareVault();
        var identities = new IdentityManager(vault, TimeProvider.System);
        var identity = await identities.CreateAsync();
        var key = await identities.CreatePurposeKeyAsync(identity, Purpose.SecureChannelStatic, TimeSpan.FromDays(1), KeyPersistence.Ephemeral);
        return new Edge(silo, vault, identity, key, ownsVault: true);
    }

    public SoftwareVault Vault { get; }

    /// <summary>The same identity and keys on a node and TCP connection of its own (disposed before this one).</summary>
    public Edge OverAnotherConnection() => new(silo, Vault, Identity, StaticKey, ownsVault: false);

    /// <summary>Opens a channel to the gateway's <paramref name="listener"/> ("secure" or "member") and an API client over it.</summary>
    /// <remarks>
    /// Answers get the production timeout: on two cores shared with the other test classes' silos a first answer can
    /// take seconds. A test that expects no answer passes its own, shorter one.
    /// </remarks>
    public Task<(SecureChannel Channel, ApiClient Api)> OpenAsync(string listener, params CredentialPresentation[] credentials) =>
        OpenAsync(listener, TimeSpan.FromSeconds(30), credentials);

    public async Task<(SecureChannel Channel, ApiClient Api)> OpenAsync(string listener, TimeSpan apiTimeout, params CredentialPresentation[] credentials)
    {
        var options = new SecureChannelOptions
        {
            Vault = Vault,
            Identity = Identity,
            StaticKey = StaticKey,
            TrustPolicy = TrustPolicy.Identifiers(silo.Identities.Silo.Identifier),
            Credentials = credentials,
        };
        var channel = await SecureChannel.CreateAsync(node, Route.Of(Address.Tcp(silo.EdgeEndpoint.ToString()), Address.Local(listener)), options);
        return (channel, await ApiClient.StartAsync(node, Route.Of(channel.Address, Address.Local("api")), silo.Identities.Silo.Identifier, apiTimeout));
    }

    /// <summary>Enrols this node with a one-use token the silo's operator made with <paramref name="attributes"/>; returns its credential.</summary>
    public async Task<CredentialPresentation> EnrolAsync(IReadOnlyDictionary<string, byte[]> attributes)
    {
        var token = await silo.Grains.GetGrain<IAuthorityGrain>("default").CreateOperatorTokenAsync(attributes, TimeSpan.FromHours(1), uses: 1);
        var (channel, api) = await OpenAsync("secure");
        var response = await api.CallAsync(new EnrollRequest(token));
        await channel.CloseAsync();
        Assert.Equal(ApiStatus.Ok, response.Status);
        return CredentialPresentation.Decode(response.Value.Credential);
    }

    public async ValueTask DisposeAsync()
    {
        await tcp.DisposeAsync();
        await node.DisposeAsync();
        if (ownsVault)
        {
            Vault.Dispose();
        }
    }
}
