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
}
