using System.Threading.Channels;
using Ockam.Grains.Contracts;

namespace Ockam.Silo.Tests.Support;

/// <summary>A relay observer that records what a relay pushes, for tests to take in order.</summary>
internal sealed class MailboxRecorder : IRelayObserver
{
    private readonly Channel<RelayedMessage> received = Channel.CreateUnbounded<RelayedMessage>();

    /// <summary>Messages pushed and not yet taken.</summary>
    public int Count => received.Reader.Count;

    public Task DeliverAsync(string relay, IReadOnlyList<RelayedMessage> messages)
    {
        foreach (var message in messages)
        {
            received.Writer.TryWrite(message);
        }

        return Task.CompletedTask;
    }

    public Task RelayGoingAsync(string relay) => Task.CompletedTask;

    public async Task<List<RelayedMessage>> TakeAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var taken = new List<RelayedMessage>();
        while (taken.Count < count)
        {
            taken.Add(await received.Reader.ReadAsync(timeout.Token));
        }

        return taken;
    }

    /// <summary>At least one message (waiting for it), and every other one already pushed, up to <paramref name="max"/>.</summary>
    public async Task<List<RelayedMessage>> TakeAvailableAsync(int max)
    {
        var taken = await TakeAsync(1);
        while (taken.Count < max && received.Reader.TryRead(out var message))
        {
            taken.Add(message);
        }

        return taken;
    }
}
