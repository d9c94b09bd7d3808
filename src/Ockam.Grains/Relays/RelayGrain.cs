using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ockam.Grains.Contracts;
using Ockam.Messaging.Api;

namespace Ockam.Grains.Relays;

/// <inheritdoc cref="IRelayGrain"/>
/// <remarks>
/// At least once: a message leaves the mailbox only when the owner acknowledges it, and everything
/// unacknowledged is delivered again when the owner reconnects. The owner's secure channel drops the
/// duplicates (its replay window), so the application sees each message once.
/// </remarks>
internal sealed partial class RelayGrain(
    [PersistentState("relay", Storage.ProviderName)] IPersistentState<RelayState> state,
    IOptions<RelayOptions> options,
    ILogger<RelayGrain> logger) : Grain, IRelayGrain
{
    private IRelayObserver? observer;

    public async Task<RelayOutcome> ClaimAsync(string owner, bool durable)
    {
        if (state.State.Owner is { } current && current != owner)
        {
            return RelayOutcome.NotOwner;
        }

        if (state.State.Owner is null || state.State.Durable != durable)
        {
            state.State = state.State with { Owner = owner, Durable = durable };
            await WriteAsync();
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
        if (state.State.Mailbox.Count > 0)
        {
            await PushAsync(state.State.Mailbox);
        }

        return RelayOutcome.Ok;
    }

    public Task DisconnectAsync(IRelayObserver connection)
    {
        if (Equals(observer, connection))
        {
            observer = null;
        }

        return Task.CompletedTask;
    }

    public async Task<RelayOutcome> SendAsync(byte[] envelope, byte priority, string sender)
    {
        if (state.State.Owner is null)
        {
            return RelayOutcome.Unknown;
        }

        if (!state.State.Durable && observer is null)
        {
            return RelayOutcome.Offline;
        }

        if (state.State.Mailbox.Count >= options.Value.MailboxCapacity)
        {
            return RelayOutcome.MailboxFull;
        }

        var message = new RelayedMessage(state.State.NextSequence, priority, envelope, RelayOrigin.Peer, sender);

        // Priority first, then arrival: a higher priority overtakes what is queued, never what was delivered.
        var mailbox = state.State.Mailbox;
        var at = mailbox.FindIndex(m => m.Priority < priority);
        mailbox.Insert(at < 0 ? mailbox.Count : at, message);
        state.State = state.State with { NextSequence = message.Sequence + 1 };
        if (state.State.Durable)
        {
            // Stored before it is pushed: a crash between the two redelivers, never loses.
            await WriteAsync();
        }

        await PushAsync([message]);
        return RelayOutcome.Ok;
    }

    public Task NotifyAsync(byte[] envelope) =>
        state.State.Owner is null ? Task.CompletedTask : PushAsync([new RelayedMessage(RelayDelivery.Unstored, 0, envelope, RelayOrigin.Service)]);

    public async Task<RelayOutcome> AcknowledgeAsync(string owner, ulong sequence)
    {
        if (state.State.Owner != owner)
        {
            return RelayOutcome.NotOwner;
        }

        // Exactly that message: with priorities, delivery order is not sequence order, so an
        // acknowledgement says nothing about lower sequences still on their way.
        if (state.State.Mailbox.RemoveAll(m => m.Sequence == sequence) > 0 && state.State.Durable)
        {
            await WriteAsync();
        }

        return RelayOutcome.Ok;
    }

    public Task<RelayStatus> GetStatusAsync() =>
        Task.FromResult(new RelayStatus(state.State.Owner, observer is not null, state.State.Mailbox.Count, state.State.NextSequence));

    private async Task PushAsync(IReadOnlyList<RelayedMessage> messages)
    {
        if (observer is not { } target)
        {
            return;
        }

        try
        {
            // An array: Orleans serializes it (a collection expression would make a compiler-private type).
            await target.DeliverAsync(this.GetPrimaryKeyString(), messages.ToArray());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The owner's silo or connection is gone: keep the messages for its return.
            var relay = this.GetPrimaryKeyString();
            LogOwnerUnreachable(logger, e, relay);
            observer = null;
        }
    }

    private Task WriteAsync() => state.WriteStateAsync();

    [LoggerMessage(Level = LogLevel.Information, Message = "relay {Relay}: the owner's connection is unreachable; messages wait in the mailbox")]
    private static partial void LogOwnerUnreachable(ILogger logger, Exception exception, string relay);
}
