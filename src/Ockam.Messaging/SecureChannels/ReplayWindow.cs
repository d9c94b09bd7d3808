namespace Ockam.Messaging.SecureChannels;

/// <summary>
/// Which of the last <c>size</c> counters have been seen (a ring of bits, as in RFC 6479): a counter
/// is new if it is above the highest seen, or within the window and not yet marked.
/// </summary>
internal sealed class ReplayWindow(int size)
{
    private readonly ulong[] bits = new ulong[(size + 63) / 64];
    private bool any;

    public ulong Highest { get; private set; }

    public bool HasAny => any;

    public DataRejection? Check(ulong counter)
    {
        if (!any || counter > Highest)
        {
            return null;
        }

        if (Highest - counter >= (ulong)size)
        {
            return DataRejection.TooOld;
        }

        return IsSet(counter) ? DataRejection.Replayed : null;
    }

    /// <summary>Records <paramref name="counter"/>, which <see cref="Check"/> accepted.</summary>
    public void Mark(ulong counter)
    {
        if (!any || counter > Highest)
        {
            // Forget the counters that slide out: their slots are reused by the new ones.
            var advance = any ? counter - Highest : ulong.MaxValue;
            if (advance >= (ulong)size)
            {
                Array.Clear(bits);
            }
            else
            {
                for (var c = Highest + 1; c < counter; c++)
                {
                    Clear(c);
                }
            }

            Highest = counter;
            any = true;
        }

        Set(counter);
    }

    private int Slot(ulong counter) => (int)(counter % (ulong)size);

    private bool IsSet(ulong counter) => (bits[Slot(counter) / 64] & (1UL << (Slot(counter) % 64))) != 0;

    private void Set(ulong counter) => bits[Slot(counter) / 64] |= 1UL << (Slot(counter) % 64);

    private void Clear(ulong counter) => bits[Slot(counter) / 64] &= ~(1UL << (Slot(counter) % 64));
}
