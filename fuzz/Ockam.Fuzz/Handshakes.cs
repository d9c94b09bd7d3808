using Ockam.Identity.Vault;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Fuzz;

/// <summary>
/// A stranger's handshake messages: the first input byte picks the side, the rest is the message read. Fixed keys, so
/// a seed made with them (<see cref="Seeds"/>) decrypts and mutations of it reach past the first check.
/// </summary>
internal sealed class Handshakes : IDisposable
{
    private static readonly byte[] Prologue = "ockam-fuzz"u8.ToArray();
    private readonly SoftwareVault vault = new();
    private readonly KeyHandle initiatorStatic;
    private readonly KeyHandle responderStatic;

    public Handshakes()
    {
        initiatorStatic = vault.ImportEphemeralKey(KeyType.X25519, Fill(1));
        responderStatic = vault.ImportEphemeralKey(KeyType.X25519, Fill(2));
    }

    /// <summary>Message 1 as an initiator writes it, and message 2 as the responder answers it, each prefixed with its side's byte.</summary>
    public IEnumerable<byte[]> Seeds()
    {
        using var initiator = Initiator();
        using var responder = Responder();
        var first = initiator.WriteMessage([]);
        responder.ReadMessage(first);
        var second = responder.WriteMessage("proof"u8);
        return [[0, .. first], [1, .. second]];
    }

    public bool Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return false;
        }

        try
        {
            if (input[0] % 2 == 0)
            {
                using var responder = Responder();
                responder.ReadMessage(input.AsSpan(1));
                responder.WriteMessage([]);
                return true;
            }
            else
            {
                using var initiator = Initiator();
                initiator.WriteMessage([]);
                initiator.ReadMessage(input.AsSpan(1));
                return true;
            }
        }
        catch (HandshakeException)
        {
            return false;
        }
    }

    public void Dispose() => vault.Dispose();

    private NoiseXxHandshake Initiator() =>
        NoiseXxHandshake.Initiator(vault, initiatorStatic, vault.ImportEphemeralKey(KeyType.X25519, Fill(3)), Prologue);

    private NoiseXxHandshake Responder() =>
        NoiseXxHandshake.Responder(vault, responderStatic, vault.ImportEphemeralKey(KeyType.X25519, Fill(4)), Prologue);

    private static byte[] Fill(byte value) => Enumerable.Repeat(value, 32).ToArray();
}
