using Ockam.Identity.Vault;

namespace Ockam.Messaging.SecureChannels;

/// <summary>
/// The Noise_XX_25519_AESGCM_SHA256 handshake as a pure state machine: feed it messages, take messages
/// out. No I/O, no clock; the ephemeral key can be injected so tests can replay public vectors.
/// <code>
/// -> e
/// &lt;- e, ee, s, es
/// -> s, se
/// </code>
/// </summary>
/// <remarks>The handshake owns its ephemeral key and its intermediate secrets: disposing it (or
/// <see cref="Split"/>) deletes them from the vault. The static key belongs to the caller.</remarks>
public sealed class NoiseXxHandshake : IDisposable
{
    public const string ProtocolName = "Noise_XX_25519_AESGCM_SHA256";
    private const int DhLength = 32;

    private readonly IVault vault;
    private readonly KeyHandle staticKey;
    private readonly KeyHandle ephemeralKey;
    private readonly SymmetricState state;
    private byte[]? remoteEphemeral;
    private int step;

    private NoiseXxHandshake(IVault vault, bool initiator, KeyHandle staticKey, KeyHandle ephemeralKey, ReadOnlySpan<byte> prologue)
    {
        this.vault = vault;
        this.staticKey = staticKey;
        this.ephemeralKey = ephemeralKey;
        IsInitiator = initiator;
        state = new SymmetricState(vault, ProtocolName);
        state.MixHash(prologue);
    }

    public bool IsInitiator { get; }

    /// <summary>True after the third message has been written or read.</summary>
    public bool IsComplete => step == 3;

    /// <summary>The peer's static public key, known after message 2 (initiator) or 3 (responder).</summary>
    public byte[]? RemoteStaticKey { get; private set; }

    /// <summary>The handshake hash h: after completion, a unique name for this session (channel binding).</summary>
    public byte[] HandshakeHash => state.Hash;

    public static NoiseXxHandshake Initiator(IVault vault, KeyHandle staticKey, KeyHandle ephemeralKey, ReadOnlySpan<byte> prologue) =>
        new(vault, initiator: true, staticKey, ephemeralKey, prologue);

    public static NoiseXxHandshake Responder(IVault vault, KeyHandle staticKey, KeyHandle ephemeralKey, ReadOnlySpan<byte> prologue) =>
        new(vault, initiator: false, staticKey, ephemeralKey, prologue);

    /// <summary>Writes the next handshake message of this side carrying <paramref name="payload"/>.</summary>
    public byte[] WriteMessage(ReadOnlySpan<byte> payload)
    {
        var mine = IsInitiator ? step is 0 or 2 : step == 1;
        if (!mine || IsComplete)
        {
            throw new HandshakeException(HandshakeError.OutOfOrder, $"not this side's turn to write (message {step + 1})");
        }

        var output = new List<byte>();
        switch (step)
        {
            case 0:
                WriteEphemeral(output);
                break;
            case 1:
                WriteEphemeral(output);
                state.MixKey(Dh(ephemeralKey, remoteEphemeral!)); // ee
                output.AddRange(state.EncryptAndHash(vault.GetPublicKey(staticKey))); // s
                state.MixKey(Dh(staticKey, remoteEphemeral!)); // es
                break;
            default:
                output.AddRange(state.EncryptAndHash(vault.GetPublicKey(staticKey))); // s
                state.MixKey(Dh(staticKey, remoteEphemeral!)); // se
                break;
        }

        output.AddRange(state.EncryptAndHash(payload));
        step++;
        return [.. output];
    }

    /// <summary>Reads the peer's next handshake message and returns its payload.</summary>
    /// <exception cref="HandshakeException">Out of order, truncated, a bad public key, or failed authentication.</exception>
    public byte[] ReadMessage(ReadOnlySpan<byte> message)
    {
        var theirs = IsInitiator ? step == 1 : step is 0 or 2;
        if (!theirs || IsComplete)
        {
            throw new HandshakeException(HandshakeError.OutOfOrder, $"not the peer's turn to write (message {step + 1})");
        }

        var rest = message;
        switch (step)
        {
            case 0:
                ReadEphemeral(ref rest);
                break;
            case 1:
                ReadEphemeral(ref rest);
                state.MixKey(Dh(ephemeralKey, remoteEphemeral!)); // ee
                RemoteStaticKey = state.DecryptAndHash(Take(ref rest, DhLength + Aead.TagSize)); // s
                state.MixKey(Dh(ephemeralKey, RemoteStaticKey)); // es
                break;
            default:
                RemoteStaticKey = state.DecryptAndHash(Take(ref rest, DhLength + Aead.TagSize)); // s
                state.MixKey(Dh(ephemeralKey, RemoteStaticKey)); // se
                break;
        }

        if (state.Cipher.HasKey && rest.Length < Aead.TagSize)
        {
            throw new HandshakeException(HandshakeError.Truncated, "handshake message too short for its payload tag");
        }

        var payload = state.DecryptAndHash(rest);
        step++;
        return payload;
    }

    /// <summary>After completion: the transport keys (send, receive) for this side, as vault handles.</summary>
    public (KeyHandle Send, KeyHandle Receive) Split()
    {
        if (!IsComplete)
        {
            throw new HandshakeException(HandshakeError.OutOfOrder, "the handshake is not complete");
        }

        var (initiatorToResponder, responderToInitiator) = state.Split();
        vault.DeleteEphemeralKey(ephemeralKey);
        return IsInitiator ? (initiatorToResponder, responderToInitiator) : (responderToInitiator, initiatorToResponder);
    }

    /// <summary>Deletes the ephemeral key and every intermediate secret still held.</summary>
    public void Dispose()
    {
        state.Dispose();
        if (vault.Contains(ephemeralKey))
        {
            vault.DeleteEphemeralKey(ephemeralKey);
        }
    }

    private void WriteEphemeral(List<byte> output)
    {
        var publicKey = vault.GetPublicKey(ephemeralKey);
        output.AddRange(publicKey);
        state.MixHash(publicKey);
    }

    private void ReadEphemeral(ref ReadOnlySpan<byte> rest)
    {
        remoteEphemeral = Take(ref rest, DhLength).ToArray();
        state.MixHash(remoteEphemeral);
    }

    private KeyHandle Dh(KeyHandle key, byte[] remote)
    {
        try
        {
            return vault.DiffieHellman(key, remote);
        }
        catch (VaultException e)
        {
            throw new HandshakeException(HandshakeError.InvalidPublicKey, e.Message, e);
        }
    }

    private static ReadOnlySpan<byte> Take(ref ReadOnlySpan<byte> rest, int length)
    {
        if (rest.Length < length)
        {
            throw new HandshakeException(HandshakeError.Truncated, $"handshake message truncated: needed {length} more bytes, had {rest.Length}");
        }

        var taken = rest[..length];
        rest = rest[length..];
        return taken;
    }
}
