namespace Ockam.Identity.Mls;

/// <summary>
/// An array in chunks of 1 024 elements that a <see cref="Clone"/> shares until one side writes to a chunk, which
/// that side then copies. A group applies each commit to a clone of its tree; at 10 000 members (some 32 000 nodes)
/// copying the whole array per commit, on the large-object heap, costs more than the commit's own work, while a
/// commit writes only the chunks along a few direct paths.
/// </summary>
internal sealed class CopyOnWriteArray<T>
{
    private const int ChunkBits = 10;
    private const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;

    private T[][] chunks;

    // Whether this array alone holds each chunk, and so may write it in place.
    private bool[] owned;

    public CopyOnWriteArray(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        chunks = new T[ChunkCount(length)][];
        owned = new bool[chunks.Length];
        for (var c = 0; c < chunks.Length; c++)
        {
            chunks[c] = new T[ChunkSize];
            owned[c] = true;
        }

        Length = length;
    }

    private CopyOnWriteArray(T[][] chunks, int length)
    {
        this.chunks = chunks;
        owned = new bool[chunks.Length];
        Length = length;
    }

    public int Length { get; private set; }

    public T this[long index]
    {
        get => chunks[Check(index) >> ChunkBits][index & ChunkMask];
        set => Writable((int)(Check(index) >> ChunkBits))[index & ChunkMask] = value;
    }

    /// <summary>A copy sharing every chunk; from now on each side copies a chunk before its first write to it.</summary>
    public CopyOnWriteArray<T> Clone()
    {
        Array.Fill(owned, false);
        return new CopyOnWriteArray<T>((T[][])chunks.Clone(), Length);
    }

    /// <summary>Grows with default elements, or shrinks and forgets the elements past <paramref name="length"/>.</summary>
    public void Resize(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var count = ChunkCount(length);

        // Elements past the new length in the last chunk kept must read as default if the array grows again.
        for (long i = length; i < Math.Min(Length, (long)count * ChunkSize); i++)
        {
            this[i] = default!;
        }

        var previous = chunks.Length;
        Array.Resize(ref chunks, count);
        Array.Resize(ref owned, count);
        for (var c = previous; c < count; c++)
        {
            chunks[c] = new T[ChunkSize];
            owned[c] = true;
        }

        Length = length;
    }

    /// <summary>The first <paramref name="count"/> elements.</summary>
    public T[] ToArray(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Length);
        var array = new T[count];
        for (var c = 0; c * ChunkSize < count; c++)
        {
            Array.Copy(chunks[c], 0, array, c * ChunkSize, Math.Min(ChunkSize, count - (c * ChunkSize)));
        }

        return array;
    }

    private static int ChunkCount(int length) => (length + ChunkMask) >> ChunkBits;

    private long Check(long index) =>
        index >= 0 && index < Length ? index : throw new ArgumentOutOfRangeException(nameof(index), index, $"outside an array of {Length}");

    private T[] Writable(int chunk)
    {
        if (!owned[chunk])
        {
            chunks[chunk] = (T[])chunks[chunk].Clone();
            owned[chunk] = true;
        }

        return chunks[chunk];
    }
}
