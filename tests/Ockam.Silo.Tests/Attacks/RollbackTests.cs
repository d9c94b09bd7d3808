using System.Text;
using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Transports;
using Ockam.Silo.Tests.Support;

namespace Ockam.Silo.Tests.Attacks;

/// <summary>
/// No rollback: the thief of a rotated-away primary key presents the pre-rotation history with a static key that
/// old key attested. The identity grain's longest history decides every handshake, on any silo, across restarts.
/// </summary>
public sealed class RollbackTests : IDisposable
{
    private readonly TempDirectory data = new();
    private readonly SoftwareVault vault = new();
    private readonly List<(Node Node, TcpTransport Tcp)> nodes = [];

    [Fact]
    public async Task The_thief_of_a_rotated_away_key_is_refused_also_after_the_silo_restarts()
    {
        var silo = await RunningSilo.StartAsync(data.Path);
        var identities = new IdentityManager(vault, TimeProvider.System);
        var victim = await identities.CreateAsync();
        var victimKey = await identities.CreatePurposeKeyAsync(victim, Purpose.SecureChannelStatic, TimeSpan.FromDays(1), KeyPersistence.Ephemeral);

        // The thief copies the old key and, while it is the current one, attests a static key of its own.
        var thiefKey = await identities.CreatePurposeKeyAsync(victim, Purpose.SecureChannelStatic, TimeSpan.FromDays(1), KeyPersistence.Ephemeral);
        var stale = victim;
        try
        {
            // The victim enrols, then rotates (without revoking purpose keys) and publishes its new history.
            var token = await silo.Grains.GetGrain<IAuthorityGrain>("default").CreateOperatorTokenAsync(new Dictionary<string, byte[]> { ["ockam.role"] = "sensor"u8.ToArray() }, TimeSpan.FromHours(1), uses: 1);
            var (_, api) = await OpenAsync(silo, "secure", victim, victimKey);
            var credential = (await api.CallAsync(new EnrollRequest(token))).Value.Credential;
            var rotated = await identities.RotateAsync(victim);
            var rotatedKey = await identities.CreatePurposeKeyAsync(rotated, Purpose.SecureChannelStatic, TimeSpan.FromDays(1), KeyPersistence.Ephemeral);

            // Presenting the new history in a handshake teaches the grain (no separate publication needed).
            var (_, member) = await OpenAsync(silo, "member", rotated, rotatedKey, CredentialPresentation.Decode(credential));
            Assert.Equal(ApiStatus.Ok, (await member.CallAsync(new GetCredentialRequest())).Status);
            Assert.Equal(2, (await silo.Grains.GetGrain<IIdentityGrain>(victim.Identifier.ToString()).GetStatusAsync()).Changes);

            Assert.Equal(HandshakeError.StaleIdentity, await RefusedAsync(silo, stale, thiefKey));

            // A new silo process over the same store knows it too.
            await silo.DisposeAsync();
            silo = await RunningSilo.StartAsync(data.Path);
            Assert.Equal(HandshakeError.StaleIdentity, await RefusedAsync(silo, stale, thiefKey));
            var (_, again) = await OpenAsync(silo, "secure", rotated, rotatedKey);
            Assert.Equal(ApiStatus.Ok, (await again.CallAsync(new GetAuthorityRequest())).Status);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    private async Task<HandshakeError> RefusedAsync(RunningSilo silo, LocalIdentity identity, PurposeKey key)
    {
        var refused = new TaskCompletionSource<HandshakeError>(TaskCreationOptions.RunContinuationsAsynchronously);
        silo.Gateway.HandshakeFailed += (_, e) => refused.TrySetResult(e.Error);

        // The gateway never confirms a channel it refused: the initiator has none.
        await Assert.ThrowsAsync<HandshakeException>(() => OpenAsync(silo, "secure", identity, key));
        return await refused.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task<(SecureChannel Channel, ApiClient Api)> OpenAsync(RunningSilo silo, string listener, LocalIdentity identity, PurposeKey key, params CredentialPresentation[] credentials)
    {
        var node = new Node();
        nodes.Add((node, new TcpTransport(node)));
        var options = new SecureChannelOptions
        {
            Vault = vault,
            Identity = identity,
            StaticKey = key,
            TrustPolicy = TrustPolicy.Identifiers(silo.Identities.Silo.Identifier),
            Credentials = credentials,
        };
        var channel = await SecureChannel.CreateAsync(node, Route.Of(Address.Tcp(silo.EdgeEndpoint.ToString()), Address.Local(listener)), options);
        return (channel, await ApiClient.StartAsync(node, Route.Of(channel.Address, Address.Local("api")), silo.Identities.Silo.Identifier, TimeSpan.FromSeconds(3)));
    }

    public void Dispose()
    {
        foreach (var (node, tcp) in nodes)
        {
            tcp.DisposeAsync().AsTask().GetAwaiter().GetResult();
            node.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        vault.Dispose();
        data.Dispose();
    }
}
