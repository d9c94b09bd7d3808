namespace Ockam.Identity.Mls;

/// <summary>The members' signature keys as message protection looks them up: from the epoch's ratchet tree.</summary>
internal sealed class TreeSignatureKeys(PublicTree tree) : ILeafSignatureKeys
{
    public bool TryGetSignatureKey(LeafIndex leaf, out ReadOnlyMemory<byte> signatureKey)
    {
        if (leaf.Value < tree.LeafCount && tree.Leaf(leaf) is { } node)
        {
            signatureKey = node.SignatureKey;
            return true;
        }

        signatureKey = default;
        return false;
    }
}
