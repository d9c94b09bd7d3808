using System.Formats.Cbor;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Identity.Mail;

/// <summary>
/// A message sealed to an identity rather than sent over a live channel, so that it can wait in a relay's mailbox
/// and be opened by any later process of the recipient's node:
/// <c>{0: version, 1: sender_history, 2: sender_agreement_attestation, 3: [sender_credential, ...], 4: recipient,
/// 5: recipient_key, 6: relay, 7: counter, 8: enc, 9: ciphertext}</c>. The ciphertext is HPKE (RFC 9180) in auth mode
/// from the sender's attested agreement key to the recipient's, with <see cref="AssociatedData"/> binding the sender,
/// the recipient, both keys, the relay and the sender's counter: moving any of them breaks the seal.
/// </summary>
/// <remarks>The sender's history, attestation and credentials travel with the message: the recipient verifies them
/// locally, so neither the silo nor anyone else is trusted to say who sent it.</remarks>
public sealed class SealedMail
{
    public const uint Version = 1;

    /// <summary>A sender history of up to this many bytes (a long-lived identity with many rotations still fits).</summary>
    public const int MaxHistorySize = 96 * 1024;

    public const int MaxAttestationSize = 512;

    /// <summary>Credentials a sender may present: its membership credential, and one spare for a second authority.</summary>
    public const int MaxCredentials = 2;

    public const int MaxCredentialSize = 16 * 1024;

    /// <summary>The longest relay name (a routing address value).</summary>
    public const int MaxRelayLength = 255;

    public const int MaxPlaintextSize = 64 * 1024;

    /// <summary>An X25519 public key: enc, and the recipient's agreement key.</summary>
    public const int KeySize = 32;

    /// <summary>Below a relayed envelope's limit (260 KiB), leaving room for the route around it.</summary>
    public const int MaxSize = 208 * 1024;

    private const int TagSize = 16;

    /// <summary>The HPKE info: what the keys are used for here, so that no other use of the same keys opens a sealed message.</summary>
    internal static ReadOnlySpan<byte> Info => "ockam sealed mail v1"u8;

    internal SealedMail(byte[] senderHistory, byte[] senderAttestation, IReadOnlyList<byte[]> senderCredentials, Identifier recipient, byte[] recipientKey, string relay, ulong counter, byte[] enc, byte[] ciphertext)
    {
        SenderHistory = senderHistory;
        SenderAttestation = senderAttestation;
        SenderCredentials = senderCredentials;
        Recipient = recipient;
        RecipientKey = recipientKey;
        Relay = relay;
        Counter = counter;
        Enc = enc;
        Ciphertext = ciphertext;
    }

    /// <summary>The sender's change history, encoded (verified by the recipient, never taken on trust).</summary>
    public byte[] SenderHistory { get; }

    /// <summary>The attestation of the sender's X25519 agreement key, the HPKE auth-mode sender key.</summary>
    public byte[] SenderAttestation { get; }

    public IReadOnlyList<byte[]> SenderCredentials { get; }

    public Identifier Recipient { get; }

    /// <summary>The recipient's agreement public key it was sealed to.</summary>
    public byte[] RecipientKey { get; }

    /// <summary>The relay it was addressed through.</summary>
    public string Relay { get; }

    /// <summary>The sender's counter for this message (from 1, increasing): what the recipient's replay window tracks.</summary>
    public ulong Counter { get; }

    public byte[] Enc { get; }

    public byte[] Ciphertext { get; }

    public byte[] Encode() => CborEncoder.Encode(w =>
    {
        w.WriteStartMap(10);
        w.WriteUInt32(0);
        w.WriteUInt32(Version);
        w.WriteUInt32(1);
        w.WriteByteString(SenderHistory);
        w.WriteUInt32(2);
        w.WriteByteString(SenderAttestation);
        w.WriteUInt32(3);
        w.WriteStartArray(SenderCredentials.Count);
        foreach (var credential in SenderCredentials)
        {
            w.WriteByteString(credential);
        }

        w.WriteEndArray();
        w.WriteUInt32(4);
        w.WriteByteString(Recipient.ToBytes());
        w.WriteUInt32(5);
        w.WriteByteString(RecipientKey);
        w.WriteUInt32(6);
        w.WriteTextString(Relay);
        w.WriteUInt32(7);
        w.WriteUInt64(Counter);
        w.WriteUInt32(8);
        w.WriteByteString(Enc);
        w.WriteUInt32(9);
        w.WriteByteString(Ciphertext);
        w.WriteEndMap();
    });

    /// <exception cref="OckamDecodeException">Malformed, truncated, oversized, of an unknown version, or a field out of its bounds.</exception>
    public static SealedMail Decode(ReadOnlyMemory<byte> encoded) =>
        CborDecoder.Decode(encoded, MaxSize, "sealed mail", d =>
        {
            if (d.ReadMapStart(10) != 10)
            {
                throw d.Error("sealed mail has exactly ten fields");
            }

            d.ReadVersion(Version);
            d.ExpectKey(1);
            var history = d.ReadBytes(1, MaxHistorySize);
            d.ExpectKey(2);
            var attestation = d.ReadBytes(1, MaxAttestationSize);
            d.ExpectKey(3);
            var count = d.ReadArrayStart(MaxCredentials);
            var credentials = new List<byte[]>(count);
            for (var i = 0; i < count; i++)
            {
                credentials.Add(d.ReadBytes(1, MaxCredentialSize));
            }

            d.ReadArrayEnd();
            d.ExpectKey(4);
            var recipient = Identifier.Read(d);
            d.ExpectKey(5);
            var recipientKey = d.ReadFixedBytes(KeySize);
            d.ExpectKey(6);
            var relay = d.ReadText(MaxRelayLength);
            if (relay.Length == 0)
            {
                throw d.Error("the relay is empty");
            }

            d.ExpectKey(7);
            var counter = d.ReadUInt64();
            if (counter == 0)
            {
                throw d.Error("counters start at 1");
            }

            d.ExpectKey(8);
            var enc = d.ReadFixedBytes(KeySize);
            d.ExpectKey(9);
            var ciphertext = d.ReadBytes(TagSize, MaxPlaintextSize + TagSize);
            d.ReadMapEnd();
            return new SealedMail(history, attestation, credentials, recipient, recipientKey, relay, counter, enc, ciphertext);
        });

    /// <summary>
    /// The AEAD's associated data: <c>["ockam sealed mail v1", sender, sender_key, recipient, recipient_key, relay, counter]</c>.
    /// The sender and its key are the ones the recipient verified, so a message cannot be re-attributed, redirected
    /// to another relay or recipient, or renumbered past the replay window without failing to open.
    /// </summary>
    internal byte[] AssociatedData(Identifier sender, ReadOnlySpan<byte> senderKey) =>
        Bind(sender, senderKey, Recipient, RecipientKey, Relay, Counter);

    internal static byte[] Bind(Identifier sender, ReadOnlySpan<byte> senderKey, Identifier recipient, ReadOnlySpan<byte> recipientKey, string relay, ulong counter)
    {
        var w = new CborWriter(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false);
        w.WriteStartArray(7);
        w.WriteByteString(Info);
        w.WriteByteString(sender.ToBytes());
        w.WriteByteString(senderKey);
        w.WriteByteString(recipient.ToBytes());
        w.WriteByteString(recipientKey);
        w.WriteTextString(relay);
        w.WriteUInt64(counter);
        w.WriteEndArray();
        return w.Encode();
    }
}
