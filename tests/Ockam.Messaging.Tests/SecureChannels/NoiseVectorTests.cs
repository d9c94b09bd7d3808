using System.Text.Json;
using Ockam.Identity.Vault;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Messaging.Tests.SecureChannels;

public abstract class NoiseVectorTests(Curve25519Provider provider) : IDisposable
{
    private readonly SoftwareVault vault = new(provider);

    [Fact]
    public async Task Noise_XX_25519_AESGCM_SHA256_vector_byte_for_byte()
    {
        using var doc = TestVectors.Load("noise-xx.json");
        var vector = doc.RootElement.GetProperty("vectors").EnumerateArray()
            .Single(v => v.GetProperty("protocol_name").GetString() == NoiseXxHandshake.ProtocolName);
        var messages = vector.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(6, messages.Count);

        var initiator = NoiseXxHandshake.Initiator(vault, await Import(vector, "init_static"), await Import(vector, "init_ephemeral"), vector.Hex("init_prologue"));
        var responder = NoiseXxHandshake.Responder(vault, await Import(vector, "resp_static"), await Import(vector, "resp_ephemeral"), vector.Hex("resp_prologue"));

        // Messages 0-2: the handshake, alternating initiator, responder, initiator.
        for (var i = 0; i < 3; i++)
        {
            var (writer, reader) = i % 2 == 0 ? (initiator, responder) : (responder, initiator);
            var written = writer.WriteMessage(messages[i].Hex("payload"));
            Assert.Equal(messages[i].Hex("ciphertext"), written);
            Assert.Equal(messages[i].Hex("payload"), reader.ReadMessage(written));
        }

        Assert.True(initiator.IsComplete && responder.IsComplete);
        Assert.Equal(vector.Hex("handshake_hash"), initiator.HandshakeHash);
        Assert.Equal(vector.Hex("handshake_hash"), responder.HandshakeHash);
        Assert.Equal(vault.GetPublicKey(await Import(vector, "resp_static")), initiator.RemoteStaticKey);
        Assert.Equal(vault.GetPublicKey(await Import(vector, "init_static")), responder.RemoteStaticKey);

        // Messages 3-5: transport. Cacophony vectors alternate senders strictly from message 0, so these
        // go responder, initiator, responder, each direction under its own nonce counter.
        var (initiatorSend, initiatorReceive) = initiator.Split();
        var (responderSend, responderReceive) = responder.Split();
        var initiatorOut = new CipherState(vault, initiatorSend);
        var responderIn = new CipherState(vault, responderReceive);
        var responderOut = new CipherState(vault, responderSend);
        var initiatorIn = new CipherState(vault, initiatorReceive);
        for (var i = 3; i < 6; i++)
        {
            var (send, receive) = i % 2 == 0 ? (initiatorOut, responderIn) : (responderOut, initiatorIn);
            var sealedBytes = send.EncryptWithAd([], messages[i].Hex("payload"));
            Assert.Equal(messages[i].Hex("ciphertext"), sealedBytes);
            Assert.Equal(messages[i].Hex("payload"), receive.TryDecryptWithAd([], sealedBytes));
        }
    }

    [Fact]
    public async Task A_tampered_handshake_message_is_refused()
    {
        var (initiator, responder) = await PairAsync();
        var first = initiator.WriteMessage([]);
        responder.ReadMessage(first);
        var second = responder.WriteMessage("proof"u8);
        second[40] ^= 1;
        Assert.Equal(HandshakeError.DecryptionFailed, Assert.Throws<HandshakeException>(() => initiator.ReadMessage(second)).Error);
    }

    [Fact]
    public async Task Truncated_or_out_of_order_handshake_messages_are_refused()
    {
        var (_, responder) = await PairAsync();
        Assert.Equal(HandshakeError.OutOfOrder, Assert.Throws<HandshakeException>(() => responder.WriteMessage([])).Error);
        Assert.Equal(HandshakeError.Truncated, Assert.Throws<HandshakeException>(() => responder.ReadMessage(new byte[31])).Error);

        var (initiator2, responder2) = await PairAsync();
        responder2.ReadMessage(initiator2.WriteMessage([]));
        var second = responder2.WriteMessage([]);
        Assert.Equal(HandshakeError.Truncated, Assert.Throws<HandshakeException>(() => initiator2.ReadMessage(second.AsSpan(0, 60))).Error);
    }

    [Fact]
    public async Task A_low_order_ephemeral_key_is_refused()
    {
        var (_, responder) = await PairAsync();
        responder.ReadMessage(new byte[32]);
        Assert.Equal(HandshakeError.InvalidPublicKey, Assert.Throws<HandshakeException>(() => responder.WriteMessage([])).Error);
    }

    [Fact]
    public async Task Peers_speaking_different_protocol_versions_fail_instead_of_falling_back()
    {
        // The version string is the prologue, bound into the handshake hash: an attacker who rewrites it
        // (to steer a peer to an older version) makes message 2 fail authentication.
        var (initiator, responder) = await PairAsync("ockam.secure-channel.v1"u8.ToArray(), "ockam.secure-channel.v0"u8.ToArray());
        responder.ReadMessage(initiator.WriteMessage([]));
        var second = responder.WriteMessage("proof"u8);
        Assert.Equal(HandshakeError.DecryptionFailed, Assert.Throws<HandshakeException>(() => initiator.ReadMessage(second)).Error);

        var (same1, same2) = await PairAsync(SecureChannel.Prologue.ToArray(), SecureChannel.Prologue.ToArray());
        same2.ReadMessage(same1.WriteMessage([]));
        Assert.Equal("proof"u8.ToArray(), same1.ReadMessage(same2.WriteMessage("proof"u8)));
    }

    [Fact]
    public async Task An_abandoned_or_completed_handshake_leaves_no_secret_in_the_vault()
    {
        var statics = new[] { await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral), await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral) };
        var baseline = vault.Count;
        using (var abandoned = NoiseXxHandshake.Initiator(vault, statics[0], await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral), []))
        {
            abandoned.WriteMessage([]);
        }

        Assert.Equal(baseline, vault.Count);

        var initiator = NoiseXxHandshake.Initiator(vault, statics[0], await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral), []);
        var responder = NoiseXxHandshake.Responder(vault, statics[1], await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral), []);
        responder.ReadMessage(initiator.WriteMessage([]));
        initiator.ReadMessage(responder.WriteMessage([]));
        responder.ReadMessage(initiator.WriteMessage([]));
        var keys = new[] { initiator.Split(), responder.Split() };
        Assert.Equal(baseline + 4, vault.Count); // exactly the four transport keys
    }

    private async Task<(NoiseXxHandshake Initiator, NoiseXxHandshake Responder)> PairAsync(byte[]? initiatorPrologue = null, byte[]? responderPrologue = null)
    {
        async Task<KeyHandle> X25519() => await vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral);
        return (NoiseXxHandshake.Initiator(vault, await X25519(), await X25519(), initiatorPrologue ?? []), NoiseXxHandshake.Responder(vault, await X25519(), await X25519(), responderPrologue ?? []));
    }

    private async Task<KeyHandle> Import(JsonElement vector, string name) =>
        await vault.ImportKeyAsync(KeyType.X25519, vector.Hex(name), KeyPersistence.Ephemeral);

    public void Dispose()
    {
        vault.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The suite over the libsodium vault.</summary>
public sealed class NoiseVectorTestsOverLibsodium() : NoiseVectorTests(Curve25519Provider.Libsodium);

/// <summary>The suite over the BouncyCastle vault.</summary>
public sealed class NoiseVectorTestsOverBouncyCastle() : NoiseVectorTests(Curve25519Provider.BouncyCastle);
