using Microsoft.Extensions.Logging;
using Ockam.Grains.Contracts;
using Ockam.Identity.Policies;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;

namespace Ockam.Silo.Gateway;

/// <summary>
/// The gateway's relay hop: a message routed <c>[..., "relay", name, rest...]</c> is handed to relay
/// <c>name</c> with its rest of route and a return route through the sender's reply relay. The payload
/// is whatever the sender's inner channel made of it: ciphertext the service stores and forwards.
/// <c>"relay.high"</c> does the same at high priority.
/// </summary>
internal sealed partial class RelayWorker(IGrainFactory grains, RelayRegistry registry, Policy senders, RequestRate rate, Func<byte[], byte[]>? tap, ILogger<RelayWorker> logger) : IWorker
{
    public const string HighPriorityAddress = "relay.high";

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        if (message.AuthenticatedPeer is not { } peer || !senders.Allows(peer.ToPolicyInput().WithAction("operation", "relay")))
        {
            LogRefused(logger, "the sender is not a member");
            return;
        }

        // Relayed messages are counted per channel like requests: one sender cannot flood every relay.
        if (message.ReturnRoute.IsEmpty || !rate.TryTake(message.ReturnRoute.Next))
        {
            LogRefused(logger, "the channel exceeded its rate");
            return;
        }

        var onward = message.OnwardRoute;
        if (onward.Count < 2 || !onward[1].IsLocal || message.ReturnRoute.IsEmpty)
        {
            LogRefused(logger, "no relay name");
            return;
        }

        var priority = onward.Next.ValueText == HighPriorityAddress ? (byte)1 : (byte)0;
        var relay = onward[1].ValueText;
        try
        {
            var reply = await registry.ReplyRelayAsync(peer.Identifier, message.ReturnRoute.Next).ConfigureAwait(false);
            var back = message.ReturnRoute.Step().Prepend(Route.Of(Address.Local(RelayDelivery.RelayAddress), Address.Local(reply)));
            var envelope = MessageCodec.Encode(new Message(onward.Step().Step(), back, message.Payload));
            envelope = tap?.Invoke(envelope) ?? envelope;
            var outcome = await grains.GetGrain<IRelayGrain>(relay).SendAsync(envelope, priority, peer.Identifier.ToString()).ConfigureAwait(false);
            if (outcome != RelayOutcome.Ok)
            {
                LogNotRelayed(logger, outcome);
            }
        }
        catch (RoutingException e)
        {
            LogRefused(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "relay refused a message: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "a message was not relayed: {Outcome}")]
    private static partial void LogNotRelayed(ILogger logger, RelayOutcome outcome);
}
