using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// An AEAD key (a vault handle, owned by whoever it is handed to, who deletes it after use, unless it came inside a <see cref="HashRatchet.Pending"/>, which owns it) and its nonce: what the
/// secret tree's ratchets (RFC 9420 §9.1) and the sender-data derivation (§6.3.2) produce.
/// </summary>
internal sealed class KeyAndNonce(KeyHandle key, byte[] nonce, uint generation)
{
    /// <summary>The AEAD key of Nk bytes, in the vault.</summary>
    public KeyHandle Key { get; } = key;

    /// <summary>The AEAD nonce of Nn bytes (public by definition: it goes out with, or is recomputable from, the message).</summary>
    public ReadOnlyMemory<byte> Nonce { get; } = nonce;

    /// <summary>The ratchet generation the pair belongs to (0 for sender data).</summary>
    public uint Generation { get; } = generation;
}
