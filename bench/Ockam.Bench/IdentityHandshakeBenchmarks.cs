using BenchmarkDotNet.Attributes;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Policies;
using Ockam.Identity.Vault;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Transports;

namespace Ockam.Bench;

/// <summary>
/// A whole secure channel as the gateway makes one with a member reconnecting: Noise XX with each side's identity proof,
/// the device presenting its credential and the silo checking it against its authority and a policy, the device checking
/// the silo by identifier — two nodes, two vaults, over the in-memory transport, then closed. What it must cost at least
/// is its public-key work: 4 X25519 per side (the ephemeral key and three Diffie-Hellmans) and 6 Ed25519 verifications
/// (the silo: the device's history, static-key attestation, credential and the authority's credential-signing
/// attestation; the device: the silo's history and attestation); bench/run.sh prices that bound from OpenSSL's figures.
/// BenchmarkDotNet reports time per handshake, which includes each hop's thread wake-up; the process's CPU time per
/// handshake (both sides, one core's worth of work) is printed as <c>HANDSHAKE-CPU ns=…</c> when the run ends, counted
/// from the <see cref="WarmCalls"/>th call so that compilation is left out.
/// </summary>
[MemoryDiagnoser]
public class IdentityHandshakeBenchmarks : IDisposable
{
    private readonly SoftwareVault deviceVault = new();
    private readonly SoftwareVault siloVault = new();
    private readonly MemoryNetwork network = new();
    private readonly List<IAsyncDisposable> owned = [];
    private readonly Dictionary<Node, MemoryTransport> transports = [];
    private Node device = null!;
    private SecureChannelOptions deviceOptions = null!;
    private Route toSilo = null!;
    private long calls;
    private TimeSpan warmCpu;

    /// <summary>Calls after which both sides' code is compiled at its final tier: the CPU count starts there.</summary>
    private const long WarmCalls = 3_000;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var now = TimeProvider.System.GetUtcNow();
        var siloIdentities = new IdentityManager(siloVault, TimeProvider.System);
        var deviceIdentities = new IdentityManager(deviceVault, TimeProvider.System);
        var authority = await siloIdentities.CreateAsync();
        var signing = await siloIdentities.CreatePurposeKeyAsync(authority, Purpose.CredentialSigning, TimeSpan.FromDays(30));
        var issuer = new CredentialIssuer(siloVault, authority, signing, TimeProvider.System);
        var trust = new TrustContext(siloVault);
        trust.TrustAuthority(authority.History.Verify(siloVault, now));

        var silo = await siloIdentities.CreateAsync();
        var member = await deviceIdentities.CreateAsync();
        var credential = issuer.Issue(member.Identifier, new Dictionary<string, byte[]> { ["ockam.role"] = "device"u8.ToArray() }, TimeSpan.FromDays(1), serial: 1);

        var siloNode = Start("silo");
        device = Start("device");
        var siloOptions = new SecureChannelOptions
        {
            Vault = siloVault,
            Identity = silo,
            StaticKey = await siloIdentities.CreatePurposeKeyAsync(silo, Purpose.SecureChannelStatic, TimeSpan.FromDays(30), KeyPersistence.Ephemeral),
            TrustPolicy = TrustPolicy.Credentials(Policy.Parse("(= subject.ockam.role \"device\")")),
            TrustContext = trust,
        };
        SecureChannelListener.Start(siloNode, "listener", siloOptions with { IncomingFlows = [transports[siloNode].Flow] });
        deviceOptions = new SecureChannelOptions
        {
            Vault = deviceVault,
            Identity = member,
            StaticKey = await deviceIdentities.CreatePurposeKeyAsync(member, Purpose.SecureChannelStatic, TimeSpan.FromDays(30), KeyPersistence.Ephemeral),
            TrustPolicy = TrustPolicy.Identifiers(silo.Identifier),
            Credentials = [credential],
        };
        toSilo = Route.Of(Address.Memory("silo"), Address.Local("listener"));
    }

    [Benchmark]
    public async Task IdentityHandshake()
    {
        if (++calls == WarmCalls)
        {
            warmCpu = CpuTime();
        }

        var channel = await SecureChannel.CreateAsync(device, toSilo, deviceOptions);
        await channel.CloseAsync();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (calls > WarmCalls)
        {
            Console.WriteLine(FormattableString.Invariant($"HANDSHAKE-CPU ns={(CpuTime() - warmCpu).TotalNanoseconds / (calls - WarmCalls):F0} handshakes={calls - WarmCalls}"));
        }

        foreach (var item in owned)
        {
            await item.DisposeAsync();
        }
    }

    public void Dispose()
    {
        deviceVault.Dispose();
        siloVault.Dispose();
        GC.SuppressFinalize(this);
    }

    private static TimeSpan CpuTime()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private Node Start(string name)
    {
        var node = new Node();
        var transport = new MemoryTransport(node, network);
        transport.Listen(name);
        transports[node] = transport;
        owned.Add(transport);
        owned.Add(node);
        return node;
    }
}
