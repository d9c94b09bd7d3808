using System.Collections.Concurrent;
using Ockam.Grains.Contracts;
using Ockam.Grains.Mail;
using Ockam.Silo.Storage;

namespace Ockam.Grains.Tests;

/// <summary>The silo's mail store, counting each relay's appends (each is one transaction of the store) on the way.</summary>
internal sealed class RecordingMailStore(GroupCommitMailStore inner) : IMailStore, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> appends = new(StringComparer.Ordinal);

    /// <summary>How many times <paramref name="relay"/> appended to its mailbox.</summary>
    public int Appends(string relay) => appends.GetValueOrDefault(relay);

    public Task AppendAsync(string relay, IReadOnlyList<RelayedMessage> messages, CancellationToken cancellationToken)
    {
        appends.AddOrUpdate(relay, 1, (_, count) => count + 1);
        return inner.AppendAsync(relay, messages, cancellationToken);
    }

    public Task<MailboxSize> DeleteAsync(string relay, IReadOnlyCollection<ulong> sequences, CancellationToken cancellationToken) =>
        inner.DeleteAsync(relay, sequences, cancellationToken);

    public Task<MailPage> ReadAsync(string relay, MailPosition after, int maxCount, int maxBytes, CancellationToken cancellationToken) =>
        inner.ReadAsync(relay, after, maxCount, maxBytes, cancellationToken);

    public Task<MailboxSize> MeasureAsync(string relay, CancellationToken cancellationToken) => inner.MeasureAsync(relay, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
