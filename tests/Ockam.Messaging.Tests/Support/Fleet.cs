using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Transports;

namespace Ockam.Messaging.Tests.Support;

/// <summary>Identities with secure-channel keys, an authority, and nodes on one memory network, for tests.</summary>
internal sealed class Fleet : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> owned = [];
    private readonly Dictionary<Node, MemoryTransport> transports = [];

    public Fleet(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        Identities = new IdentityManager(Vault, Time);
    }

    public SoftwareVault Vault { get; } = new();

    public TimeProvider Time { get; }

    public IdentityManager Identities { get; }

    public MemoryNetwork Network { get; } = new();

    public DateTimeOffset Now => Time.GetUtcNow();

    public async Task<Member> MemberAsync()
    {
        var identity = await Identities.CreateAsync();
        return new Member(identity, await Identities.CreatePurposeKeyAsync(identity, Purpose.SecureChannelStatic, TimeSpan.FromDays(30), KeyPersistence.Ephemeral));
    }

    public async Task<(Member Member, CredentialIssuer Issuer)> AuthorityAsync()
    {
        var member = await MemberAsync();
        var signing = await Identities.CreatePurposeKeyAsync(member.Identity, Purpose.CredentialSigning, TimeSpan.FromDays(30));
        return (member, new CredentialIssuer(Vault, member.Identity, signing, Time));
    }

    public TrustContext Trusting(Member authority)
    {
        var trust = new TrustContext(Vault);
        trust.TrustAuthority(authority.Identity.History.Verify(Vault, Now));
        return trust;
    }

    public SecureChannelOptions Options(Member member, TrustPolicy policy, TrustContext? trust = null, params CredentialPresentation[] credentials) => new()
    {
        Vault = Vault,
        Identity = member.Identity,
        StaticKey = member.StaticKey,
        TrustPolicy = policy,
        TrustContext = trust,
        Credentials = credentials,
    };

    /// <summary>A node reachable on the memory network as <c>memory:<paramref name="name"/></c>.</summary>
    public Node Node(string name, TransportOptions? transport = null)
    {
        var node = new Node(new NodeOptions { Time = Time });
        var memory = new MemoryTransport(node, Network, transport);
        memory.Listen(name);
        transports[node] = memory;
        owned.Add(memory);
        owned.Add(node);
        return node;
    }

    /// <summary>The flow of what peers send to <paramref name="node"/> over its memory transport.</summary>
    public FlowId Flow(Node node) => transports[node].Flow;

    /// <summary>A secure-channel listener on <paramref name="node"/> that peers on the memory network reach.</summary>
    public SecureChannelListener Listen(Node node, string name, SecureChannelOptions options) =>
        SecureChannelListener.Start(node, name, options with { IncomingFlows = [.. options.IncomingFlows, Flow(node)] });

    public static Dictionary<string, byte[]> Attributes(params (string Name, string Value)[] attributes) =>
        attributes.ToDictionary(a => a.Name, a => System.Text.Encoding.UTF8.GetBytes(a.Value));

    public async ValueTask DisposeAsync()
    {
        foreach (var item in owned)
        {
            await item.DisposeAsync();
        }

        Vault.Dispose();
    }
}

internal sealed record Member(LocalIdentity Identity, PurposeKey StaticKey)
{
    public Identifier Identifier => Identity.Identifier;
}
