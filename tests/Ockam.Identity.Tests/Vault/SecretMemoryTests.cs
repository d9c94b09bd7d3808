using System.Reflection;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Vault;

public sealed class SecretMemoryTests
{
    private static readonly byte[] First = Enumerable.Repeat((byte)0xa1, 32).ToArray();
    private static readonly byte[] Second = Enumerable.Repeat((byte)0xb2, 32).ToArray();

    [Fact]
    public void A_deleted_keys_memory_is_zeroed_and_reused_only_once_the_last_operation_reading_it_is_done()
    {
        // An operation that looked a key up just before another thread deleted it still reads that key's secret: were
        // the slot reused at once, it would read the next key's secret in its place (and, say, sign or derive with it).
        var memory = new SecretMemory();
        var key = new KeyMaterial(KeyType.Secret, First, KeyPersistence.Ephemeral, SodiumCurve25519.Instance, memory);
        using (var reading = key.Lease())
        {
            key.Dispose();
            using var next = new KeyMaterial(KeyType.Secret, Second, KeyPersistence.Ephemeral, SodiumCurve25519.Instance, memory);
            Assert.Equal(First, reading.Secret.ToArray());
            Assert.Equal(Second, next.RetainedSecret.ToArray());
        }

        // The last lease gave the slot back, zeroed, and the next key takes it.
        Assert.Equal(new byte[32], key.RetainedSecret.ToArray());
        using var third = new KeyMaterial(KeyType.Secret, Second, KeyPersistence.Ephemeral, SodiumCurve25519.Instance, memory);
        Assert.Equal(Second, key.RetainedSecret.ToArray());
    }

    [Fact]
    public void A_deleted_key_cannot_be_leased_again()
    {
        var memory = new SecretMemory();
        var key = new KeyMaterial(KeyType.AesGcm, First, KeyPersistence.Ephemeral, SodiumCurve25519.Instance, memory);
        key.Dispose();
        key.Dispose();
        Assert.False(key.TryRetain());
        Assert.Throws<VaultException>(() => key.Lease());
        Assert.Throws<ObjectDisposedException>(() => key.Encrypt(new byte[12], [], [], [], new byte[16]));
    }

    [Fact]
    public void A_secret_longer_than_a_slot_has_memory_of_its_own_zeroed_on_deletion()
    {
        var memory = new SecretMemory();
        var secret = Enumerable.Range(0, 100).Select(i => (byte)(i + 1)).ToArray();
        var key = new KeyMaterial(KeyType.Secret, secret, KeyPersistence.Ephemeral, SodiumCurve25519.Instance, memory);
        using var small = new KeyMaterial(KeyType.Secret, First, KeyPersistence.Ephemeral, SodiumCurve25519.Instance, memory);
        Assert.Equal(secret, key.RetainedSecret.ToArray());
        key.Dispose();
        Assert.Equal(new byte[100], key.RetainedSecret.ToArray());
        Assert.Equal(First, small.RetainedSecret.ToArray());
    }

    [Fact]
    public void Deleting_a_key_twice_while_it_is_read_does_not_give_its_memory_away()
    {
        var memory = new SecretMemory();
        var key = new KeyMaterial(KeyType.Secret, First, KeyPersistence.Ephemeral, SodiumCurve25519.Instance, memory);
        using var reading = key.Lease();
        key.Dispose();
        key.Dispose();
        using var next = new KeyMaterial(KeyType.Secret, Second, KeyPersistence.Ephemeral, SodiumCurve25519.Instance, memory);
        Assert.Equal(First, reading.Secret.ToArray());
    }

    [Fact]
    public void A_key_whose_construction_fails_leaves_no_secret_behind()
    {
        var memory = new SecretMemory();
        Assert.Throws<InvalidOperationException>(() => new KeyMaterial(KeyType.X25519, First, KeyPersistence.Ephemeral, new FailingCurve(), memory));
        Assert.DoesNotContain(Slabs(memory), slab => slab.AsSpan().IndexOf(First) >= 0);
    }

    [Fact]
    public void A_vault_file_naming_one_id_twice_is_refused_and_leaves_neither_secret_behind()
    {
        using var first = new KeyMaterial(KeyType.Secret, First, KeyPersistence.Persistent, SodiumCurve25519.Instance, new SecretMemory());
        using var second = new KeyMaterial(KeyType.Secret, Second, KeyPersistence.Persistent, SodiumCurve25519.Instance, new SecretMemory());
        var file = VaultFile.Encode([KeyValuePair.Create("same", first), KeyValuePair.Create("same", second)]);
        var memory = new SecretMemory();
        Assert.Throws<Ockam.Identity.Encoding.OckamDecodeException>(() => VaultFile.Decode(file, SodiumCurve25519.Instance, memory));
        Assert.DoesNotContain(Slabs(memory), slab => slab.AsSpan().IndexOf(First) >= 0 || slab.AsSpan().IndexOf(Second) >= 0);
    }

    /// <summary>The slabs themselves, to show what a failure left in them: nothing else exposes memory no key owns.</summary>
    private static List<byte[]> Slabs(SecretMemory memory) =>
        (List<byte[]>)typeof(SecretMemory).GetField("slabs", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(memory)!;

    /// <summary>Curve arithmetic that fails once the key's secret is in its slot (as running out of memory would).</summary>
    private sealed class FailingCurve : ICurve25519
    {
        public void Ed25519PublicKey(ReadOnlySpan<byte> seed, Span<byte> publicKey) => throw new InvalidOperationException("failed");

        public void X25519PublicKey(ReadOnlySpan<byte> scalar, Span<byte> publicKey) => throw new InvalidOperationException("failed");

        public void Sign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, Span<byte> signature) => throw new NotSupportedException();

        public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) => throw new NotSupportedException();

        public bool TryAgree(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> peerPublicKey, Span<byte> shared) => throw new NotSupportedException();
    }
}
