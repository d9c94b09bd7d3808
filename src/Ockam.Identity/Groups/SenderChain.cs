using Ockam.Identity.Vault;

namespace Ockam.Identity.Groups;

/// <summary>
/// One sender's hash ratchet in one epoch: key_g and chain_{g+1} both derive from chain_g, which is then
/// deleted, so a key leaked today opens nothing sent before it (forward secrecy). The receiving side keeps
/// keys of generations it skipped (bounded) so that messages may arrive out of order, each once.
/// </summary>
internal sealed class SenderChain : IDisposable
{
    public const int MaxSkipped = 1000;
    private static readonly byte[] KeyLabel = System.Text.Encoding.ASCII.GetBytes("ockam.group.key");
    private static readonly byte[] ChainLabel = System.Text.Encoding.ASCII.GetBytes("ockam.group.chain");

    private readonly IVault vault;
    private readonly Dictionary<ulong, KeyHandle> skipped = [];
    private KeyHandle chain;

    public SenderChain(IVault vault, KeyHandle epochSecret, string group, ulong epoch, string sender)
    {
        this.vault = vault;
        chain = vault.HkdfExpand(epochSecret, System.Text.Encoding.UTF8.GetBytes($"ockam.group.sender\n{group}\n{epoch}\n{sender}"), KeySpec.Secret32);
    }

    /// <summary>The next generation this chain will produce.</summary>
    public ulong Next { get; private set; }

    /// <summary>The key of the next generation (sending side), moving the chain on.</summary>
    public (ulong Generation, KeyHandle Key) Advance()
    {
        var key = vault.HkdfExpand(chain, KeyLabel, KeySpec.Aes256);
        var next = vault.HkdfExpand(chain, ChainLabel, KeySpec.Secret32);
        vault.DeleteEphemeralKey(chain);
        chain = next;
        return (Next++, key);
    }

    /// <summary>The key of <paramref name="generation"/> (receiving side), once.</summary>
    public KeyHandle KeyFor(ulong generation)
    {
        if (generation < Next)
        {
            return skipped.Remove(generation, out var kept) ? kept : throw new GroupException(GroupError.Replayed, $"generation {generation} was already received");
        }

        if (generation - Next > MaxSkipped || skipped.Count + (int)(generation - Next) > MaxSkipped)
        {
            throw new GroupException(GroupError.TooFarAhead, $"generation {generation} is too far ahead of {Next}");
        }

        while (Next < generation)
        {
            var (g, key) = Advance();
            skipped[g] = key;
        }

        return Advance().Key;
    }

    public void Dispose()
    {
        vault.DeleteEphemeralKey(chain);
        foreach (var key in skipped.Values)
        {
            vault.DeleteEphemeralKey(key);
        }

        skipped.Clear();
    }
}
