using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// The resumption_psk of this group's recent epochs (RFC 9420 §8.4), which later commits may inject by
/// PreSharedKeyID (group id, epoch). Only the last <see cref="Capacity"/> epochs are kept, so that an old key does
/// not outlive the forward secrecy of the epochs around it; the handles are owned here.
/// </summary>
internal sealed class ResumptionPskHistory(IVault vault) : IDisposable
{
    public const int Capacity = 8;

    private readonly SortedDictionary<ulong, KeyHandle> psks = [];

    /// <summary>Keeps <paramref name="psk"/> as the resumption PSK of <paramref name="epoch"/>, forgetting the oldest beyond <see cref="Capacity"/>.</summary>
    public void Add(ulong epoch, KeyHandle psk)
    {
        ArgumentNullException.ThrowIfNull(psk);
        if (psks.Remove(epoch, out var replaced))
        {
            vault.DeleteEphemeralKey(replaced);
        }

        psks[epoch] = psk;
        while (psks.Count > Capacity)
        {
            var oldest = psks.Keys.First();
            vault.DeleteEphemeralKey(psks[oldest]);
            psks.Remove(oldest);
        }
    }

    /// <summary>The PSKs kept, oldest first, which this object owns: for saving its state.</summary>
    public IEnumerable<(ulong Epoch, KeyHandle Psk)> Entries => psks.Select(p => (p.Key, p.Value));

    /// <summary>The resumption PSK of <paramref name="epoch"/>, or null when it is not (or no longer) kept.</summary>
    public KeyHandle? Find(ulong epoch) => psks.GetValueOrDefault(epoch);

    public void Dispose()
    {
        foreach (var psk in psks.Values)
        {
            vault.DeleteEphemeralKey(psk);
        }

        psks.Clear();
    }
}
