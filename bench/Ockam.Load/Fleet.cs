using System.Text;
using Ockam.Client.Edge;
using Ockam.Grains.Contracts;
using Ockam.Identity.Policies;

namespace Ockam.Load;

/// <summary>The edge nodes of one scenario, each in its own home under the run's directory; all disposed (within bounds) at the end.</summary>
internal sealed class Fleet(SiloProcess silo, string homes) : IAsyncDisposable
{
    private readonly List<EdgeNode> nodes = [];
    private readonly string tag = Guid.NewGuid().ToString("N")[..6];

    public SiloProcess Silo => silo;

    /// <summary>A node's (and its relay's) name on the silo: unique to this fleet, so that scenarios may share a silo.</summary>
    public string Tagged(string name) => $"{name}-{tag}";

    /// <summary>An operator token for <paramref name="uses"/> devices with <paramref name="attributes"/> (the silo's authority, over the Orleans client).</summary>
    public Task<string> TokenAsync(int uses, params (string Name, string Value)[] attributes) =>
        silo.Grains.GetGrain<IAuthorityGrain>("default").CreateOperatorTokenAsync(
            attributes.ToDictionary(a => a.Name, a => Encoding.UTF8.GetBytes(a.Value), StringComparer.Ordinal), TimeSpan.FromHours(2), uses);

    /// <summary>A fresh node named <paramref name="name"/>, not enrolled.</summary>
    public async Task<EdgeNode> OpenAsync(string name, CancellationToken cancellationToken)
    {
        var node = await EdgeNode.OpenAsync(new EdgeNodeOptions { Home = Path.Combine(homes, name), Silo = silo.Edge, SiloIdentifier = silo.Identifier }, cancellationToken: cancellationToken).ConfigureAwait(false);
        lock (nodes)
        {
            nodes.Add(node);
        }

        return node;
    }

    /// <summary>A node enrolled with <paramref name="attributes"/>; with <paramref name="relay"/>, owning and listening on a relay of its name.</summary>
    public async Task<EdgeNode> EnrolledAsync(string name, bool relay, CancellationToken cancellationToken, params (string Name, string Value)[] attributes)
    {
        var tagged = Tagged(name);
        var token = await TokenAsync(1, relay ? [.. attributes, ("ockam.relay", tagged)] : attributes).ConfigureAwait(false);
        var node = await OpenAsync(tagged, cancellationToken).ConfigureAwait(false);
        await node.EnrollAsync(token, cancellationToken).ConfigureAwait(false);
        if (relay)
        {
            await node.CreateRelayAsync(tagged, cancellationToken).ConfigureAwait(false);
        }

        return node;
    }

    /// <summary>A phone (relay <paramref name="phone"/>, accepting monitors) and a monitor with an end-to-end channel to it.</summary>
    public async Task<Pair> PairAsync(string phone, string monitor, CancellationToken cancellationToken)
    {
        var phoneNode = await EnrolledAsync(phone, relay: true, cancellationToken, ("ockam.role", "phone")).ConfigureAwait(false);
        var monitorNode = await EnrolledAsync(monitor, relay: false, cancellationToken, ("ockam.role", "monitor")).ConfigureAwait(false);
        await phoneNode.AcceptAsync(Policy.Parse("(= subject.ockam.role \"monitor\")"), cancellationToken).ConfigureAwait(false);
        await phoneNode.ListenAsync(Tagged(phone), cancellationToken).ConfigureAwait(false);
        var channel = await monitorNode.ConnectAsync(Tagged(phone), Policy.Parse("(= subject.ockam.role \"phone\")"), cancellationToken).ConfigureAwait(false);

        // One reading through, so that the phone has finished its side of the handshake: a phone that went away before
        // the last handshake message would read nothing of what queues for it.
        using var settling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        settling.CancelAfter(TimeSpan.FromSeconds(60));
        await monitorNode.SendAsync(channel, Reading.Create(-1), settling.Token).ConfigureAwait(false);
        await phoneNode.ReceiveAsync(settling.Token).ConfigureAwait(false);
        return new Pair(Tagged(phone), phoneNode, monitorNode, channel);
    }

    /// <summary>Forgets <paramref name="node"/> after disposing it (enrolment disposes as it goes, to bound open files).</summary>
    public async Task CloseAsync(EdgeNode node)
    {
        lock (nodes)
        {
            nodes.Remove(node);
        }

        await Bounded(node.DisposeAsync().AsTask(), TimeSpan.FromSeconds(20)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        EdgeNode[] all;
        lock (nodes)
        {
            all = [.. nodes];
            nodes.Clear();
        }

        foreach (var batch in all.Chunk(50))
        {
            await Bounded(Task.WhenAll(batch.Select(n => n.DisposeAsync().AsTask())), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for <paramref name="task"/> at most <paramref name="limit"/>: a node stuck behind a stalled silo must not hang the run.</summary>
    private static async Task Bounded(Task task, TimeSpan limit)
    {
        try
        {
            await task.WaitAsync(limit).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or EdgeException or IOException)
        {
            // Disposal of a node the silo no longer answers: the process exits at the end of the run regardless.
        }
    }
}
