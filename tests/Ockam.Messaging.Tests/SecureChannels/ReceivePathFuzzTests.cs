using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ockam.Identity.Encoding;
using Ockam.Identity.Vault;
using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Tests.Support;

namespace Ockam.Messaging.Tests.SecureChannels;

/// <summary>Random and mutated bytes into every stage of a channel's receive path: typed refusals only.</summary>
public sealed class ReceivePathFuzzTests : IDisposable
{
    private const int Cases = 10_000;
    private readonly SoftwareVault vault = new();
    private readonly List<byte[]> proofs = [.. Generators.History.Sample(8, 3).Select(h => new IdentityProof(ByteString.CopyFrom(h.Encode()), ByteString.CopyFrom([1, 2]), [ByteString.CopyFrom([3])]).Encode())];
    private readonly ChannelEncryptor encryptor;
    private readonly ChannelDecryptor decryptor;
    private readonly byte[] genuine;
    private readonly KeyHandle responderStatic;
    private readonly KeyHandle initiatorStatic;
    private int genuineAccepted;

    public ReceivePathFuzzTests()
    {
        // Built once per test instance: FsCheck.Xunit calls a Property method once per case, and the
        // decryptor must carry its state from one case to the next.
        var key = RandomNumberGenerator.GetBytes(32);
        encryptor = new ChannelEncryptor(vault, vault.ImportEphemeralKey(KeyType.AesGcm, key), 16);
        decryptor = new ChannelDecryptor(vault, vault.ImportEphemeralKey(KeyType.AesGcm, key), 16, 64);
        genuine = encryptor.Encrypt("genuine"u8);
        responderStatic = Key();
        initiatorStatic = Key();
    }

    [Property(MaxTest = Cases)]
    public Property Identity_proofs_decode_or_fail_with_a_decode_error() => Prop.ForAll(Generators.Hostile(proofs).ToArbitrary(), bytes =>
    {
        try
        {
            IdentityProof.Decode(bytes);
        }
        catch (OckamDecodeException)
        {
        }
    });

    [Property(MaxTest = 2000)]
    public Property Any_first_or_second_handshake_message_is_read_or_refused_with_a_handshake_error() =>
        Prop.ForAll(Generators.Bytes(0, 200).ToArbitrary(), bytes =>
        {
            // As responder reading message 1, and as initiator reading message 2.
            using var responder = NoiseXxHandshake.Responder(vault, responderStatic, Key(), SecureChannel.Prologue);
            using var initiator = NoiseXxHandshake.Initiator(vault, initiatorStatic, Key(), SecureChannel.Prologue);
            initiator.WriteMessage([]);
            foreach (var (handshake, _) in new[] { (responder, 1), (initiator, 2) })
            {
                try
                {
                    handshake.ReadMessage(bytes);
                }
                catch (HandshakeException)
                {
                }
            }
        });

    [Property(MaxTest = Cases)]
    public Property A_decryptor_accepts_only_the_genuine_message_and_only_once() =>
        Prop.ForAll(Generators.Hostile([genuine]).ToArbitrary(), bytes =>
        {
            if (decryptor.TryDecrypt(bytes, out _) is null)
            {
                Assert.True(bytes.AsSpan().SequenceEqual(genuine));
                Assert.Equal(1, ++genuineAccepted);
            }

            Assert.Equal(1, decryptor.KeysHeld);
        });

    [Fact]
    public async Task An_open_channel_fed_random_bytes_at_its_decryptor_delivers_none_and_keeps_working()
    {
        await using var fleet = new Fleet();
        var alice = await fleet.MemberAsync();
        var bob = await fleet.MemberAsync();
        var a = fleet.Node("a");
        var b = fleet.Node("b");
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.AnyIdentity));
        var accepted = new TaskCompletionSource<SecureChannel>();
        listener.ChannelAccepted += (_, e) => accepted.TrySetResult(e.Channel);
        var inbox = Inbox.Start(b, "inbox", listener.Flow);
        var channel = await SecureChannel.CreateAsync(a, Route.Of(Address.Memory("b"), Address.Local("listener")), fleet.Options(alice, TrustPolicy.AnyIdentity));
        var atB = await accepted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Valid data messages of this channel, mutated; and plain random bytes: sent to B's decryptor as the network would.
        var genuine = Enumerable.Range(0, 4).Select(_ => channel.Worker.Encryptor!.Encrypt([0, .. MessageCodec.Encode(new Message(Route.Of(Address.Local("inbox")), Route.Empty, "x"u8.ToArray()))])).ToList();
        foreach (var bytes in Generators.Hostile(genuine).Sample(200, 2000).Where(b => !genuine.Any(g => g.AsSpan().SequenceEqual(b))))
        {
            await a.SendAsync(new Message(Route.Of(Address.Memory("b"), atB.Worker.DecryptorAddress), Route.Empty, bytes));
        }

        await a.SendAsync(new Message(Route.Of(channel.Address, Address.Local("inbox")), Route.Empty, "still here"u8.ToArray()));
        Assert.Equal("still here"u8.ToArray(), (await inbox.ReceiveAsync()).Payload.ToArray());
        Assert.True(await inbox.StaysEmptyAsync(TimeSpan.FromMilliseconds(200)));
    }

    public void Dispose()
    {
        encryptor.Dispose();
        decryptor.Dispose();
        vault.Dispose();
    }

    private KeyHandle Key() => vault.GenerateKeyAsync(KeyType.X25519, KeyPersistence.Ephemeral).AsTask().GetAwaiter().GetResult();
}
