using System.Threading.Channels;
using Ockam.Grains.Contracts;

namespace Ockam.Grains.Tests;

/// <summary>A relay observer that records what it is given, for tests to take in order.</summary>
internal sealed class RelayRecorder : IRelayObserver
{
    private readonly Channel<RelayedMessage> received = Channel.CreateUnbounded<RelayedMessage>();

    public async Task DeliverAsync(string relay, IReadOnlyList<RelayedMessage> messages)
    {
        foreach (var message in messages)
        {
            await received.Writer.WriteAsync(message);
        }
    }

    public Task RelayGoingAsync(string relay) => Task.CompletedTask;

    public async Task<List<RelayedMessage>> TakeAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var taken = new List<RelayedMessage>();
        while (taken.Count < count)
        {
            taken.Add(await received.Reader.ReadAsync(timeout.Token));
        }

        return taken;
    }
}
