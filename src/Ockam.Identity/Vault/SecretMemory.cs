using System.Security.Cryptography;

namespace Ockam.Identity.Vault;

/// <summary>
/// Pinned memory for one vault's secrets: slots of <see cref="SlotSize"/> bytes cut from pinned slabs, zeroed when
/// given back and reused. A pinned array per key had been most of the cost of reading an MLS message (three keys
/// each): the runtime allocates pinned arrays on a slow path, and collects them only with generation 2. Slabs are
/// kept for the vault's life, so its pinned memory is what its most keys at once needed. A longer secret gets a
/// pinned array of its own.
/// </summary>
internal sealed class SecretMemory
{
    /// <summary>Every key the vault derives or generates is 32 bytes or less (AES-128 keys are 16).</summary>
    public const int SlotSize = 32;

    /// <summary>2 KiB per slab: a node's vault needs one or two; a gateway's, one per 64 live channel keys.</summary>
    private const int SlotsPerSlab = 64;

    private readonly Lock gate = new();
    private readonly List<byte[]> slabs = [];
    private readonly Stack<int> free = new();

    /// <summary>Pinned memory holding a copy of <paramref name="secret"/>; give it back with <see cref="Return"/>.</summary>
    public Slot Rent(ReadOnlySpan<byte> secret)
    {
        Slot slot;
        if (secret.Length > SlotSize)
        {
            slot = new Slot(GC.AllocateUninitializedArray<byte>(secret.Length, pinned: true), 0, secret.Length, Index: -1);
        }
        else
        {
            lock (gate)
            {
                if (!free.TryPop(out var index))
                {
                    index = slabs.Count * SlotsPerSlab;
                    slabs.Add(GC.AllocateArray<byte>(SlotsPerSlab * SlotSize, pinned: true));
                    for (var i = SlotsPerSlab - 1; i > 0; i--)
                    {
                        free.Push(index + i);
                    }
                }

                slot = new Slot(slabs[index / SlotsPerSlab], index % SlotsPerSlab * SlotSize, secret.Length, index);
            }
        }

        secret.CopyTo(slot.Span);
        return slot;
    }

    /// <summary>Zeroes <paramref name="slot"/> and makes it free for another secret. The caller must hold no span of it any more.</summary>
    public void Return(Slot slot)
    {
        CryptographicOperations.ZeroMemory(slot.Buffer.AsSpan(slot.Offset, slot.Index < 0 ? slot.Length : SlotSize));
        if (slot.Index >= 0)
        {
            lock (gate)
            {
                free.Push(slot.Index);
            }
        }
    }

    /// <summary>Where one secret lives: <see cref="Length"/> bytes of <see cref="Buffer"/> from <see cref="Offset"/>; <see cref="Index"/> is its slot, or -1 for an array of its own.</summary>
    internal readonly record struct Slot(byte[] Buffer, int Offset, int Length, int Index)
    {
        public Span<byte> Span => Buffer.AsSpan(Offset, Length);
    }
}
