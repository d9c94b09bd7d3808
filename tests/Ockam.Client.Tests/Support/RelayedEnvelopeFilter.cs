using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Ockam.Grains.Contracts;

namespace Ockam.Client.Tests.Support;

/// <summary>
/// Sees every envelope handed to a relay (<see cref="IRelayGrain.SendBatchAsync"/>, <see cref="IRelayGrain.SendLiveAsync"/>),
/// in order, as the relay takes it, and may replace it first: the silo as a service that reads, keeps or tampers with
/// what it relays would. An Orleans incoming grain call filter a test adds to the silo's services (<see cref="AddTo"/>),
/// so the silo's code carries no hook for it.
/// </summary>
/// <param name="change">Makes what the relay takes of each envelope; the envelope itself when null.</param>
internal sealed class RelayedEnvelopeFilter(Func<byte[], byte[]>? change = null) : IIncomingGrainCallFilter
{
    private readonly ConcurrentQueue<byte[]> seen = new();

    /// <summary>Every envelope seen so far, as it came (before <c>change</c>), in the order each relay took them.</summary>
    public IReadOnlyCollection<byte[]> Envelopes => seen;

    // The silo runs every IIncomingGrainCallFilter service (what ISiloBuilder.AddIncomingGrainCallFilter registers);
    // the callback a test gets is the host's IServiceCollection, not the silo builder.
    public void AddTo(IServiceCollection services) => services.AddSingleton<IIncomingGrainCallFilter>(this);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod.DeclaringType == typeof(IRelayGrain)
            && context.InterfaceMethod.Name is nameof(IRelayGrain.SendBatchAsync) or nameof(IRelayGrain.SendLiveAsync))
        {
            // A new batch of new envelopes: Orleans shares immutable envelopes with the caller (the gateway), which must not see the change.
            var batch = (RelayedEnvelope[])context.Request.GetArgument(0)!;
            var taken = new RelayedEnvelope[batch.Length];
            for (var i = 0; i < batch.Length; i++)
            {
                seen.Enqueue(batch[i].Envelope);
                taken[i] = change is null ? batch[i] : batch[i] with { Envelope = change(batch[i].Envelope) };
            }

            context.Request.SetArgument(0, taken);
        }

        return context.Invoke();
    }
}
