using System.Threading.Channels;
using Ockam.Grains.Contracts;

namespace Ockam.Grains.Tests;

/// <summary>A gateway, as Delivery Services reach it, that records each call, for tests to take in order.</summary>
internal sealed class GatewayRecorder : IGroupGateway
{
    private readonly Channel<(byte[] Envelope, string[] Relays)> received = Channel.CreateUnbounded<(byte[], string[])>();

    /// <summary>While set, every call fails, as one to a gateway whose silo died does.</summary>
    public bool Unreachable { get; set; }

    public Task DeliverAsync(byte[] envelope, string[] relays)
    {
        if (Unreachable)
        {
            throw new InvalidOperationException("the gateway's silo is gone");
        }

        received.Writer.TryWrite((envelope, relays));
        return Task.CompletedTask;
    }

    public async Task<(byte[] Envelope, string[] Relays)> TakeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await received.Reader.ReadAsync(timeout.Token);
    }

    public bool IsEmpty => received.Reader.Count == 0;
}
