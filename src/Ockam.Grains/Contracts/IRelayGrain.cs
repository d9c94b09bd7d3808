using Orleans.Concurrency;

namespace Ockam.Grains.Contracts;

/// <summary>
/// A relay (key: its name): messages sent to it reach its owner's live connection, on whichever silo that
/// is, or wait in a bounded, ordered, durable mailbox until the owner acknowledges them. It holds
/// ciphertext only: each message is an encoded envelope whose payload the service cannot read.
/// </summary>
[Alias("ockam.relay")]
public interface IRelayGrain : IGrainWithStringKey
{
    /// <summary>Takes the name for <paramref name="owner"/>; refused if another identity holds it.</summary>
    [Alias("claim")]
    Task<RelayOutcome> ClaimAsync(string owner, bool durable);

    /// <summary>The owner is online at <paramref name="observer"/>: everything unacknowledged is delivered, in order.</summary>
    [Alias("connect")]
    Task<RelayOutcome> ConnectAsync(string owner, IRelayObserver observer);

    /// <summary>
    /// As <see cref="ConnectAsync"/>, but only if no connection is known: what a gateway sends on the owner's behalf
    /// after an activation went or a silo died, which must never displace the connection the owner has since made (a
    /// new channel, another gateway), nor push the whole window again to one that is in place.
    /// </summary>
    [Alias("renew")]
    Task<RelayOutcome> RenewAsync(string owner, IRelayObserver observer);

    [Alias("disconnect")]
    Task DisconnectAsync(IRelayObserver observer);

    /// <summary>
    /// Delivers (or stores) envelopes relayed for peers, in the order given (each after the one before it); higher priorities
    /// overtake queued lower ones. A durable relay stores them all in one transaction and answers once they are durable.
    /// </summary>
    /// <param name="envelopes">1 to <see cref="RelayedEnvelope.MaxBatch"/> envelopes, at most <see cref="RelayedEnvelope.MaxBatchBytes"/> together unless one alone.</param>
    /// <returns>Each envelope's own outcome, in the same order: one that would overfill the mailbox is refused, those before it kept.</returns>
    [Alias("send-batch")]
    Task<RelayOutcome[]> SendBatchAsync(RelayedEnvelope[] envelopes);

    /// <summary>
    /// Pushes envelopes relayed for peers straight to the owner's live connection, in the order given, and never stores
    /// them (a portal's stream: its end-to-end channel and its own credit window make up for what a live path lacks).
    /// They carry sequence 0, which nothing acknowledges.
    /// </summary>
    /// <param name="envelopes">As for <see cref="SendBatchAsync"/>.</param>
    /// <returns>The same outcome for every envelope: <see cref="RelayOutcome.Offline"/> when no owner is connected.</returns>
    [Alias("send-live")]
    Task<RelayOutcome[]> SendLiveAsync(RelayedEnvelope[] envelopes);

    /// <summary>
    /// Pushes one envelope the service made and keeps itself (a group's delivery, whose log is the durable copy) to
    /// the owner's live connection, if there is one; it is never stored, and carries sequence 0, which nothing
    /// acknowledges. One-way: the sender never waits on an owner, so one slow or vanished owner holds up no one else.
    /// </summary>
    [Alias("notify"), OneWay]
    Task NotifyAsync(byte[] envelope);

    /// <summary>
    /// The owner has the messages <paramref name="sequences"/> (1 to <see cref="Ockam.Messaging.Api.Operations.AcknowledgeRelayRequest.MaxSequences"/>);
    /// they leave the mailbox together, and what was held back for them is delivered.
    /// </summary>
    [Alias("acknowledge")]
    Task<RelayOutcome> AcknowledgeAsync(string owner, ulong[] sequences);

    [Alias("status")]
    Task<RelayStatus> GetStatusAsync();
}
