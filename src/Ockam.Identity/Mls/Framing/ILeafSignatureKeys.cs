namespace Ockam.Identity.Mls;

/// <summary>The signature keys of a group's members, by leaf (RFC 9420 §6.1: a member signs with its LeafNode's signature_key); the ratchet tree answers it.</summary>
internal interface ILeafSignatureKeys
{
    /// <summary>The signature public key of the member at <paramref name="leaf"/>; false when the leaf is blank or outside the tree.</summary>
    bool TryGetSignatureKey(LeafIndex leaf, out ReadOnlyMemory<byte> signatureKey);
}
