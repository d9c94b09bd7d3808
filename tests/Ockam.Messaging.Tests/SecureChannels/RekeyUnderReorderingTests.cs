using Ockam.Messaging.Routing;
using Ockam.Messaging.SecureChannels;
using Ockam.Messaging.Tests.Support;

namespace Ockam.Messaging.Tests.SecureChannels;

/// <summary>
/// Thousands of messages each way through a relay that shuffles them, over a channel that rekeys every
/// 100 messages: each arrives exactly once, whatever epoch it was sealed in.
/// </summary>
public sealed class RekeyUnderReorderingTests : IAsyncLifetime
{
    private const int PerDirection = 2000;
    private const int Batch = 50;
    private readonly Fleet fleet = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await fleet.DisposeAsync();

    [Fact]
    public async Task Both_directions_rekey_many_times_while_a_relay_shuffles_every_batch()
    {
        var alice = await fleet.MemberAsync();
        var bob = await fleet.MemberAsync();
        var a = fleet.Node("a");
        var m = fleet.Node("m");
        var b = fleet.Node("b");

        var shuffler = new Shuffler(Batch, new Random(1234));
        Relay.Start(m, fleet.Flow(m), "to-b", Route.Of(Address.Memory("b")), shuffler.Apply);
        var listener = fleet.Listen(b, "listener", fleet.Options(bob, TrustPolicy.AnyIdentity) with { RekeyInterval = 100 });
        var accepted = new TaskCompletionSource<SecureChannel>();
        listener.ChannelAccepted += (_, e) => accepted.TrySetResult(e.Channel);
        var inboxA = Inbox.Start(a, "inbox");
        var inboxB = Inbox.Start(b, "inbox", listener.Flow);

        var channel = await SecureChannel.CreateAsync(
            a, Route.Of(Address.Memory("m"), Address.Local("to-b"), Address.Local("listener")), fleet.Options(alice, TrustPolicy.AnyIdentity) with { RekeyInterval = 100 });
        var atB = await accepted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        a.AcceptFlow(Address.Local("inbox"), channel.Flow);

        var sending = Task.WhenAll(
            Task.Run(async () =>
            {
                for (var i = 0; i < PerDirection; i++)
                {
                    await a.SendAsync(new Message(Route.Of(channel.Address, Address.Local("inbox")), Route.Empty, BitConverter.GetBytes(i)));
                }
            }),
            Task.Run(async () =>
            {
                for (var i = 0; i < PerDirection; i++)
                {
                    await b.SendAsync(new Message(Route.Of(atB.Address, Address.Local("inbox")), Route.Empty, BitConverter.GetBytes(i)));
                }
            }));

        var (toB, toA) = (await ReceiveAll(inboxB), await ReceiveAll(inboxA));
        await sending;
        Assert.Equal(Enumerable.Range(0, PerDirection), toB.Order());
        Assert.Equal(Enumerable.Range(0, PerDirection), toA.Order());
        Assert.True(await inboxA.StaysEmptyAsync(TimeSpan.FromMilliseconds(100)) && await inboxB.StaysEmptyAsync(TimeSpan.FromMilliseconds(100)));

        // The shuffling was real: many messages arrived after a later one.
        Assert.True(Inversions(toB) > PerDirection / 4, $"only {Inversions(toB)} out-of-order arrivals");
        Assert.True(shuffler.Shuffled >= 2 * PerDirection);
    }

    private static async Task<List<int>> ReceiveAll(Inbox inbox)
    {
        var values = new List<int>();
        for (var i = 0; i < PerDirection; i++)
        {
            values.Add(BitConverter.ToInt32((await inbox.ReceiveAsync()).Payload.Span));
        }

        return values;
    }

    private static int Inversions(List<int> arrivals) => arrivals.Zip(arrivals.Skip(1)).Count(p => p.First > p.Second);

    /// <summary>Holds data messages (both directions) and releases each full batch in random order.</summary>
    private sealed class Shuffler(int batch, Random random)
    {
        private readonly List<Message> held = [];
        private int handshake;

        public int Shuffled { get; private set; }

        public List<Message> Apply(Message message)
        {
            // The three handshake messages and the responder's confirmation pass in order.
            if (++handshake <= 4)
            {
                return [message];
            }

            held.Add(message);
            if (held.Count < batch)
            {
                return [];
            }

            var release = held.OrderBy(_ => random.Next()).ToList();
            held.Clear();
            Shuffled += release.Count;
            return release;
        }
    }
}
