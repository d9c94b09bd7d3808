using BenchmarkDotNet.Attributes;
using Ockam.Identity.Vault;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Bench;

/// <summary>What a secure channel costs: a whole Noise XX handshake (keys in the vault), and sealing one data message.</summary>
[MemoryDiagnoser]
public class ChannelBenchmarks : IDisposable
{
    private readonly SoftwareVault vault = new();
    private readonly byte[] payload = new byte[1024];
    private KeyHandle initiatorStatic = null!;
    private KeyHandle responderStatic = null!;

    [GlobalSetup]
    public void Setup()
    {
        initiatorStatic = vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral).AsTask().GetAwaiter().GetResult();
        responderStatic = vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public void Handshake()
    {
        using var initiator = NoiseXxHandshake.Initiator(vault, initiatorStatic, Ephemeral(), []);
        using var responder = NoiseXxHandshake.Responder(vault, responderStatic, Ephemeral(), []);
        responder.ReadMessage(initiator.WriteMessage([]));
        initiator.ReadMessage(responder.WriteMessage([]));
        responder.ReadMessage(initiator.WriteMessage([]));
        foreach (var key in new[] { initiator.Split(), responder.Split() }.SelectMany(k => new[] { k.Send, k.Receive }))
        {
            vault.DeleteEphemeralKey(key);
        }
    }

    [Benchmark]
    public void HpkeSeal()
    {
        var ephemeral = Ephemeral();
        var (context, _) = Ockam.Identity.Hpke.Hpke.SetupSender(vault, Ockam.Identity.Hpke.HpkeSuite.X25519Sha256Aes256Gcm, vault.GetPublicKey(responderStatic), [], ephemeral);
        using (context)
        {
            context.Seal([], payload.AsSpan(0, 32));
        }

        vault.DeleteEphemeralKey(ephemeral);
    }

    public void Dispose()
    {
        vault.Dispose();
        GC.SuppressFinalize(this);
    }

    private KeyHandle Ephemeral() => vault.ImportEphemeralKey(KeyType.X25519, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
