using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ockam.Grains.Contracts;
using Ockam.Grains.Mail;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;

namespace Ockam.Grains.Relays;

/// <inheritdoc cref="IRelayGrain"/>
/// <remarks>
/// At least once: a message leaves the mailbox only when the owner acknowledges it, and everything
/// unacknowledged is delivered again when the owner reconnects, or, while it stays connected, when a pushed message has
/// waited <see cref="RelayOptions.RedeliveryTimeout"/> for its acknowledgement (the push or the acknowledgement was lost,
/// and the window would otherwise stay closed until a reconnect). The owner acknowledges a duplicate again and its
/// secure channel drops it (its replay window), so the application sees each message once.
/// <para>
/// A durable relay's mailbox is rows of the <see cref="IMailStore"/>; the grain keeps its owner, its reserved
/// sequences and its counters, and pushes the mailbox to a connected owner a page at a time, at most
/// <see cref="RelayOptions.DeliveryWindow"/> unacknowledged, the next pages as acknowledgements come. An ephemeral
/// relay (a connection's reply relay) keeps what it holds in memory only.
/// </para>
/// </remarks>
internal sealed partial class RelayGrain(
    [PersistentState("relay", Storage.ProviderName)] IPersistentState<RelayState> state,
    IMailStore store,
    IOptions<RelayOptions> options,
    TimeProvider time,
    ILogger<RelayGrain> logger) : Grain, IRelayGrain
{
    /// <summary>Sequences reserved per state write: a restart skips at most this many, and no message costs a state write.</summary>
    internal const ulong SequenceBlock = 1024;

    private readonly RelayOptions limits = options.Value;

    /// <summary>An ephemeral relay's messages, in delivery order (priority first, then arrival).</summary>
    private readonly List<RelayedMessage> unstored = [];

    /// <summary>Stored messages pushed to the current connection and not yet acknowledged: sequence → envelope bytes and when it went.</summary>
    private readonly Dictionary<ulong, InFlightMessage> inFlight = [];

    /// <summary>Checks, while a durable relay's owner is connected, for pushes left unacknowledged too long.</summary>
    private IGrainTimer? redelivery;

    private IRelayObserver? observer;
    private ulong nextSequence;
    private MailboxSize queued;
    private long inFlightBytes;

    /// <summary>Where reading for the current connection resumes; everything stored before it has been pushed.</summary>
    private MailPosition cursor = MailPosition.Start;

    /// <summary>Every stored message has been pushed to the current connection: a new one can go straight out.</summary>
    private bool caughtUp;

    private string Relay => this.GetPrimaryKeyString();

    private bool WindowOpen => inFlight.Count < limits.DeliveryWindow && inFlightBytes < limits.DeliveryWindowBytes;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        nextSequence = state.State.ReservedSequence;
        if (state.State is { Owner: not null, Durable: true })
        {
            queued = await store.MeasureAsync(Relay, cancellationToken);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Whatever the reason, the connection goes with this activation: without a word the owner would stay unheard
        // here until its node reconnected, which a node whose connection never broke does not do.
        if (observer is { } listening)
        {
            _ = listening.RelayGoingAsync(Relay);
        }

        return Task.CompletedTask;
    }

    public async Task<RelayOutcome> ClaimAsync(string owner, bool durable)
    {
        if (state.State.Owner is { } current && current != owner)
        {
            return RelayOutcome.NotOwner;
        }

        if (state.State.Owner is null || state.State.Durable != durable)
        {
            state.State = state.State with { Owner = owner, Durable = durable };
            await state.WriteStateAsync();
            queued = durable ? await store.MeasureAsync(Relay, CancellationToken.None) : MailboxSize.Empty;
        }

        return RelayOutcome.Ok;
    }

    public async Task<RelayOutcome> ConnectAsync(string owner, IRelayObserver connection)
    {
        if (state.State.Owner is null)
        {
            return RelayOutcome.Unknown;
        }

        if (state.State.Owner != owner)
        {
            return RelayOutcome.NotOwner;
        }

        observer = connection;
        if (state.State.Durable)
        {
            // Everything unacknowledged comes again, from the start of the delivery order.
            ForgetDeliveries();
            redelivery ??= this.RegisterGrainTimer(RedeliverAsync, limits.RedeliveryTimeout, limits.RedeliveryTimeout);
            await PumpAsync();
        }
        else if (unstored.Count > 0)
        {
            await PushAsync(unstored);
        }

        return RelayOutcome.Ok;
    }

    public Task<RelayOutcome> RenewAsync(string owner, IRelayObserver connection) =>
        observer is null || state.State.Owner != owner ? ConnectAsync(owner, connection) : Task.FromResult(RelayOutcome.Ok);

    public async Task DisconnectAsync(IRelayObserver connection)
    {
        if (!Equals(observer, connection))
        {
            return;
        }

        Unobserve();
        if (!state.State.Durable && state.State.Owner is not null)
        {
            // A connection's reply relay (the only kind not durable) ends with its connection: no one can listen on it
            // again, so what it held for that connection and its claim (its stored state) go now. Left, they were memory
            // a peer could fill, kept until the activation was collected, and a claim stored for ever.
            unstored.Clear();
            await state.ClearStateAsync();
            this.DeactivateOnIdle();
        }
    }

    /// <summary>Every envelope's outcome when the batch cannot be taken at all (malformed, or a relay nobody claimed); else null.</summary>
    private RelayOutcome[]? RefusedWhole(RelayedEnvelope[] envelopes) =>
        Malformed(envelopes) ? Each(envelopes, RelayOutcome.Malformed)
        : state.State.Owner is null ? Each(envelopes, RelayOutcome.Unknown)
        : null;

    public async Task<RelayOutcome[]> SendBatchAsync(RelayedEnvelope[] envelopes)
    {
        if (envelopes is null)
        {
            return [];
        }

        if (RefusedWhole(envelopes) is { } refused)
        {
            return refused;
        }

        if (!state.State.Durable && observer is null)
        {
            return Each(envelopes, RelayOutcome.Offline);
        }

        // Each in turn, as if sent one after another: one that would overfill the mailbox is refused, the ones before it kept.
        var outcomes = new RelayOutcome[envelopes.Length];
        var accepted = new List<RelayedMessage>(envelopes.Length);
        var size = state.State.Durable ? queued : new MailboxSize(unstored.Count, unstored.Sum(m => (long)m.Envelope.Length));

        // A relay that stores nothing holds only what it pushed and awaits the acknowledgement of: a delivery window, not a mailbox.
        var (capacity, capacityBytes) = state.State.Durable ? (limits.MailboxCapacity, limits.MailboxBytes) : (limits.DeliveryWindow, (long)limits.DeliveryWindowBytes);
        for (var i = 0; i < envelopes.Length; i++)
        {
            var envelope = envelopes[i];
            if (size.Count >= capacity || size.Bytes + envelope.Envelope.Length > capacityBytes)
            {
                outcomes[i] = RelayOutcome.MailboxFull;
                continue;
            }

            accepted.Add(new RelayedMessage(await TakeSequenceAsync(), envelope.Priority, envelope.Envelope, RelayOrigin.Peer, envelope.Sender));
            size = new MailboxSize(size.Count + 1, size.Bytes + envelope.Envelope.Length);
            outcomes[i] = RelayOutcome.Ok;
        }

        if (accepted.Count == 0)
        {
            return outcomes;
        }

        if (!state.State.Durable)
        {
            // Priority first, then arrival: a higher priority overtakes what is queued, never what was delivered.
            foreach (var message in accepted)
            {
                var at = unstored.FindIndex(m => m.Priority < message.Priority);
                unstored.Insert(at < 0 ? unstored.Count : at, message);
            }

            await PushAsync(accepted);
            return outcomes;
        }

        // Stored before they are pushed (and before the senders hear Ok), all in one transaction: a crash between
        // the two redelivers, never loses.
        await store.AppendAsync(Relay, accepted, CancellationToken.None);
        queued = size;
        await OfferAsync(accepted);
        return outcomes;
    }

    public async Task<RelayOutcome[]> SendLiveAsync(RelayedEnvelope[] envelopes)
    {
        if (envelopes is null)
        {
            return [];
        }

        if (RefusedWhole(envelopes) is { } refused)
        {
            return refused;
        }

        if (observer is null)
        {
            return Each(envelopes, RelayOutcome.Offline);
        }

        // Neither the mailbox nor the in-memory list: nothing of a live message outlives this push.
        await PushAsync([.. envelopes.Select(e => new RelayedMessage(RelayDelivery.Unstored, e.Priority, e.Envelope, RelayOrigin.Peer, e.Sender))]);
        return Each(envelopes, RelayOutcome.Ok);
    }

    public Task NotifyAsync(byte[] envelope) =>
        state.State.Owner is null ? Task.CompletedTask : PushAsync([new RelayedMessage(RelayDelivery.Unstored, 0, envelope, RelayOrigin.Service)]);

    public async Task<RelayOutcome> AcknowledgeAsync(string owner, ulong[] sequences)
    {
        if (sequences is null || sequences.Length is 0 or > AcknowledgeRelayRequest.MaxSequences)
        {
            return RelayOutcome.Malformed;
        }

        if (state.State.Owner != owner)
        {
            return RelayOutcome.NotOwner;
        }

        // Exactly those messages: with priorities, delivery order is not sequence order, so an
        // acknowledgement says nothing about lower sequences still on their way.
        var acknowledged = sequences.ToHashSet();
        if (!state.State.Durable)
        {
            unstored.RemoveAll(m => acknowledged.Contains(m.Sequence));
            return RelayOutcome.Ok;
        }

        var removed = await store.DeleteAsync(Relay, acknowledged, CancellationToken.None);
        queued = new MailboxSize(queued.Count - removed.Count, queued.Bytes - removed.Bytes);
        foreach (var sequence in acknowledged)
        {
            if (inFlight.Remove(sequence, out var message))
            {
                inFlightBytes -= message.Bytes;
            }
        }

        await PumpAsync();
        return RelayOutcome.Ok;
    }

    public Task<RelayStatus> GetStatusAsync()
    {
        var size = state.State.Durable ? queued : new MailboxSize(unstored.Count, unstored.Sum(m => (long)m.Envelope.Length));
        return Task.FromResult(new RelayStatus(state.State.Owner, observer is not null, size.Count, nextSequence, size.Bytes));
    }

    /// <summary>A batch past its bounds, or with a missing part.</summary>
    private static bool Malformed(RelayedEnvelope[] envelopes) =>
        envelopes.Length is 0 or > RelayedEnvelope.MaxBatch
        || envelopes.Any(e => e?.Envelope is null || e.Sender is null)
        || (envelopes.Length > 1 && envelopes.Sum(e => (long)e.Envelope.Length) > RelayedEnvelope.MaxBatchBytes);

    /// <summary>The same outcome for every envelope of a batch.</summary>
    private static RelayOutcome[] Each(RelayedEnvelope[] envelopes, RelayOutcome outcome) => Enumerable.Repeat(outcome, envelopes.Length).ToArray();

    private async Task<ulong> TakeSequenceAsync()
    {
        if (nextSequence >= state.State.ReservedSequence)
        {
            // Reserved before use, so that a restart (which starts at the reservation) never gives a sequence out twice:
            // an acknowledgement still on its way for an old message must not delete a new one.
            state.State = state.State with { ReservedSequence = nextSequence + SequenceBlock };
            await state.WriteStateAsync();
        }

        return nextSequence++;
    }

    /// <summary>
    /// Messages just stored, in sequence order, for a connected owner: straight out (in one push) while nothing stored
    /// waits before them and the window is open, the rest read in their turn.
    /// </summary>
    private async Task OfferAsync(List<RelayedMessage> messages)
    {
        if (observer is null)
        {
            return;
        }

        var direct = new List<RelayedMessage>(messages.Count);
        var now = time.GetUtcNow();
        foreach (var message in messages)
        {
            var position = MailPosition.Of(message);
            if (caughtUp && WindowOpen)
            {
                inFlight[message.Sequence] = new InFlightMessage(message.Envelope.Length, now);
                inFlightBytes += message.Envelope.Length;
                if (cursor.Precedes(position))
                {
                    cursor = position;
                }

                direct.Add(message);
                continue;
            }

            // A higher priority overtakes what is queued, never what was delivered: reading goes back to it, and
            // skips what it passes again that is already on its way. Once one waits, every later one waits too.
            if (position.Precedes(cursor))
            {
                cursor = MailPosition.Before(message);
            }

            caughtUp = false;
        }

        if (direct.Count > 0)
        {
            await PushAsync(direct);
        }

        await PumpAsync();
    }

    /// <summary>Pushes stored messages, in delivery order, while the owner is connected and the window is open.</summary>
    private async Task PumpAsync()
    {
        while (observer is not null && !caughtUp && WindowOpen)
        {
            var room = Math.Min(limits.PageCount, limits.DeliveryWindow - inFlight.Count);
            var page = await store.ReadAsync(Relay, cursor, room, limits.PageBytes, CancellationToken.None);
            caughtUp = !page.More;
            if (page.Messages.Count == 0)
            {
                return;
            }

            cursor = MailPosition.Of(page.Messages[^1]);
            var fresh = page.Messages.Where(m => !inFlight.ContainsKey(m.Sequence)).ToArray();
            var now = time.GetUtcNow();
            foreach (var message in fresh)
            {
                inFlight[message.Sequence] = new InFlightMessage(message.Envelope.Length, now);
                inFlightBytes += message.Envelope.Length;
            }

            if (fresh.Length > 0)
            {
                await PushAsync(fresh);
            }
        }
    }

    /// <summary>
    /// The owner is connected, yet a message pushed to it has waited <see cref="RelayOptions.RedeliveryTimeout"/> for its
    /// acknowledgement: the push or the acknowledgement was lost. Everything unacknowledged goes again from the start of
    /// the delivery order, as on a reconnect: a window at most, once per timeout at most; the owner acknowledges what it
    /// already had, and the window reopens.
    /// </summary>
    private async Task RedeliverAsync(CancellationToken cancellationToken)
    {
        if (observer is null || inFlight.Count == 0 || time.GetUtcNow() - inFlight.Values.Min(m => m.PushedAt) < limits.RedeliveryTimeout)
        {
            return;
        }

        LogRedelivering(logger, Relay, inFlight.Count);
        ForgetDeliveries();
        await PumpAsync();
    }

    /// <summary>The owner's connection is gone: what was pushed to it counts as not delivered, and nothing is redelivered until it returns.</summary>
    private void Unobserve()
    {
        observer = null;
        ForgetDeliveries();
        redelivery?.Dispose();
        redelivery = null;
    }

    private void ForgetDeliveries()
    {
        inFlight.Clear();
        inFlightBytes = 0;
        cursor = MailPosition.Start;
        caughtUp = false;
    }

    private async Task PushAsync(IReadOnlyList<RelayedMessage> messages)
    {
        if (observer is not { } target)
        {
            return;
        }

        try
        {
            // An array: Orleans serializes it (a collection expression would make a compiler-private type).
            await target.DeliverAsync(Relay, messages.ToArray());
        }
        catch (TimeoutException e)
        {
            // A slow owner or a busy silo, not a gone one: the owner keeps its place. What this push carried counts as
            // pushed; if it never arrives, its acknowledgement never comes and the redelivery timer sends it again.
            // (Letting go here would leave an owner whose connection is fine deaf until it reconnects.)
            LogPushTimedOut(logger, e, Relay);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The owner's silo or connection is gone: keep the messages for its return.
            LogOwnerUnreachable(logger, e, Relay);
            Unobserve();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "relay {Relay}: the owner's connection is unreachable; messages wait in the mailbox")]
    private static partial void LogOwnerUnreachable(ILogger logger, Exception exception, string relay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "relay {Relay}: a push to the owner's connection timed out; it stays the owner's, and what was pushed is redelivered unless acknowledged")]
    private static partial void LogPushTimedOut(ILogger logger, Exception exception, string relay);

    [LoggerMessage(Level = LogLevel.Information, Message = "relay {Relay}: {Count} pushed messages went unacknowledged too long; delivering again")]
    private static partial void LogRedelivering(ILogger logger, string relay, int count);
}
