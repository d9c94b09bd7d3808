using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ockam.Messaging.Telemetry;

namespace Ockam.Messaging.Routing;

/// <summary>
/// Hosts workers at local addresses and routes messages: a local first hop goes to that worker's
/// mailbox, any other first hop to the transport of its type. Nothing here knows about encryption;
/// a secure channel is just another worker.
/// </summary>
/// <remarks>
/// Flow control: what local code sends (<see cref="SendAsync(Message, CancellationToken)"/>) may reach any
/// worker and dial out. What a producer — a connection, a secure channel, a relay inbox — received from a
/// remote party is sent with the producer's <see cref="FlowId"/> and reaches only a local worker that
/// accepts that flow (<see cref="AcceptFlow"/>); it never opens a connection. A new worker accepts no flow.
/// </remarks>
public sealed partial class Node : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Address, Registration> workers = new();
    private readonly ConcurrentDictionary<TransportType, ITransport> transports = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly ILogger logger;

    public Node(NodeOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        Options = options ?? new NodeOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MailboxCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MailboxBytes, 1, nameof(options));
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        logger = LoggerFactory.CreateLogger<Node>();
    }

    public NodeOptions Options { get; }

    public ILoggerFactory LoggerFactory { get; }

    public TimeProvider Time => Options.Time;

    /// <summary>Cancelled when the node stops; background work of transports and channels ends with it.</summary>
    public CancellationToken Stopping => stopping.Token;

    /// <summary>How many workers run (each counted once, whatever its number of addresses).</summary>
    public int WorkerCount => workers.Values.Distinct().Count();

    /// <summary>Starts <paramref name="worker"/> at <paramref name="address"/>.</summary>
    /// <exception cref="RoutingException">The address is taken or not local.</exception>
    public void StartWorker(Address address, IWorker worker) => StartWorker([address], worker);

    /// <summary>Starts one worker, with one mailbox, at several addresses (a channel's encryptor and decryptor).</summary>
    /// <param name="addresses">Its addresses; the first is its main one.</param>
    /// <param name="worker">The worker.</param>
    /// <param name="produces">The flow of what this worker passes on from remote parties, if it is a producer.</param>
    /// <param name="mailbox">What its messages wait in (one mailbox, one per address, or none).</param>
    public void StartWorker(IReadOnlyList<Address> addresses, IWorker worker, FlowId? produces = null, WorkerMailbox mailbox = WorkerMailbox.Shared)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(worker);
        ObjectDisposedException.ThrowIf(stopping.IsCancellationRequested, this);
        if (addresses.Count == 0 || addresses.Any(a => !a.IsLocal))
        {
            throw new RoutingException(RoutingError.NoSuchWorker, "a worker needs at least one address, all local");
        }

        if (!Enum.IsDefined(mailbox))
        {
            throw new ArgumentOutOfRangeException(nameof(mailbox));
        }

        var registration = new Registration(this, addresses, worker, produces, mailbox);
        var added = new List<Address>();
        foreach (var address in addresses)
        {
            if (!workers.TryAdd(address, registration))
            {
                foreach (var undo in added)
                {
                    workers.TryRemove(undo, out _);
                }

                throw new RoutingException(RoutingError.AddressInUse, $"{address} is already taken");
            }

            added.Add(address);
        }
    }

    /// <summary>Stops the worker at <paramref name="address"/> (all its addresses); completes when it has.</summary>
    /// <remarks>Messages still in its mailbox are dropped. Called from the worker's own handler, it does not wait for itself.</remarks>
    public Task StopWorkerAsync(Address address)
    {
        if (!workers.TryGetValue(address, out var registration))
        {
            return Task.CompletedTask;
        }

        foreach (var a in registration.Addresses)
        {
            workers.TryRemove(new KeyValuePair<Address, Registration>(a, registration));
        }

        return registration.StopAsync();
    }

    /// <summary>Whether a worker runs at <paramref name="address"/>.</summary>
    public bool HasWorker(Address address) => workers.ContainsKey(address);

    /// <summary>
    /// Lets messages of <paramref name="flow"/> (or, for a listener's flow, of every flow it spawns) reach the
    /// worker at <paramref name="consumer"/>, for as long as that worker runs. A worker started later at the
    /// same address starts with no grant.
    /// </summary>
    /// <exception cref="RoutingException">No worker runs at <paramref name="consumer"/>.</exception>
    public void AcceptFlow(Address consumer, FlowId flow)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        if (!workers.TryGetValue(consumer, out var registration))
        {
            throw new RoutingException(RoutingError.NoSuchWorker, $"no worker at {consumer}");
        }

        registration.Accept(consumer, flow);
    }

    /// <summary>
    /// The flow of the producer that a message sent to <paramref name="hop"/> leaves through — a channel's
    /// encryptor, or the connection a "tcp:host:port" hop resolves to — so that a local worker expecting
    /// answers from there can accept it. Resolving a remote hop prepares its connection, as sending would.
    /// </summary>
    public async ValueTask<FlowId?> ProducerFlowAsync(Address hop, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hop);
        if (!hop.IsLocal && !transports.ContainsKey(hop.Type))
        {
            return null;
        }

        return workers.TryGetValue(await ResolveAsync(hop, cancellationToken).ConfigureAwait(false), out var registration) ? registration.Produces : null;
    }

    /// <summary>The local address a hop is sent to: itself, or the connection a remote hop resolves to (dialled if need be).</summary>
    internal async ValueTask<Address> ResolveAsync(Address hop, CancellationToken cancellationToken)
    {
        if (hop.IsLocal)
        {
            return hop;
        }

        if (!transports.TryGetValue(hop.Type, out var transport))
        {
            throw new RoutingException(RoutingError.NoTransport, $"no {hop.Type} transport on this node for {hop}");
        }

        return await transport.ResolveAsync(hop, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Routes <paramref name="message"/>, built by local code, by its first hop: to any local worker, or
    /// through a transport (dialling if needed). Waits while the receiving mailbox is full.
    /// </summary>
    /// <exception cref="RoutingException">No worker or transport for the first hop.</exception>
    public async ValueTask SendAsync(Message message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        message = message with { Flow = null };
        var next = message.OnwardRoute.Next;
        if (!next.IsLocal)
        {
            next = await ResolveAsync(next, cancellationToken).ConfigureAwait(false);
            message = message with { OnwardRoute = message.OnwardRoute.ReplaceNext(next) };
        }

        if (!workers.TryGetValue(next, out var registration))
        {
            throw new RoutingException(RoutingError.NoSuchWorker, $"no worker at {next}");
        }

        await registration.EnqueueAsync(next, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Routes a message that a producer received from a remote party (a frame from a connection, what a
    /// secure channel decrypted, a relayed envelope): it reaches only a local worker that accepts
    /// <paramref name="from"/>, and never opens a connection. The message arrives carrying <paramref name="from"/>.
    /// </summary>
    /// <exception cref="RoutingException">
    /// The first hop is not local (<see cref="RoutingError.NoTransport"/>), no worker runs there, or it does not
    /// accept the flow (<see cref="RoutingError.FlowDenied"/>).
    /// </exception>
    public async ValueTask SendAsync(Message message, FlowId from, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var next = message.OnwardRoute.Next;
        if (!next.IsLocal)
        {
            throw new RoutingException(RoutingError.NoTransport, $"a message from a remote party cannot make this node dial {next}");
        }

        if (!workers.TryGetValue(next, out var registration))
        {
            throw new RoutingException(RoutingError.NoSuchWorker, $"no worker at {next}");
        }

        if (!registration.Accepts(next, from))
        {
            MessagingTelemetry.FlowDenied.Add(1);
            throw new RoutingException(RoutingError.FlowDenied, $"{next} does not accept messages from this {from}");
        }

        await registration.EnqueueAsync(next, message with { Flow = from }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Routes a frame that arrived from another node, as <see cref="SendAsync(Message, FlowId, CancellationToken)"/>.
    /// Failures are logged and the message dropped; the sender is remote and cannot be told.
    /// </summary>
    internal async ValueTask DeliverFromTransportAsync(Message message, FlowId from, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(message with { AuthenticatedPeer = null }, from, cancellationToken).ConfigureAwait(false);
        }
        catch (RoutingException e)
        {
            LogDroppedRemote(logger, message.OnwardRoute, e.Message);
        }
    }

    internal void RegisterTransport(ITransport transport)
    {
        if (!transports.TryAdd(transport.Type, transport))
        {
            throw new InvalidOperationException($"this node already has a {transport.Type} transport");
        }
    }

    /// <summary>Stops every worker and transport.</summary>
    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        var all = workers.Values.Distinct().ToList();
        workers.Clear();
        await Task.WhenAll(all.Select(r => r.StopAsync())).ConfigureAwait(false);
        stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "dropped a message from a peer to {Route}: {Reason}")]
    private static partial void LogDroppedRemote(ILogger logger, Route route, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "worker at {Address} failed on a message; the message is dropped")]
    private static partial void LogWorkerFailed(ILogger logger, Exception exception, Address address);

    /// <summary>A running worker: its mailboxes and the loops that drain them, or the senders running its handler.</summary>
    /// <remarks>
    /// A mailbox's loop runs only while the mailbox holds messages: it starts with the first message into an empty
    /// mailbox and ends when it has handed over the last, so that an idle worker holds no task, pending read or
    /// execution context. One loop per mailbox at a time keeps its messages in order.
    /// </remarks>
    private sealed class Registration
    {
        /// <summary>A worker holding more grants than this (one that outlives many channels) keeps them in a set.</summary>
        private const int GrantsInArray = 8;

        private readonly Node node;
        private readonly IReadOnlyList<Address> addresses;
        private readonly IWorker worker;
        private readonly WorkerMailbox kind;
        private readonly Mailbox[] mailboxes;
        private readonly CancellationTokenSource cancel;
        private readonly AsyncLocal<bool> insideHandler = new();
        private readonly Lock gate = new();

        /// <summary>Replaced, never changed, under the lock, so that every message reads it without taking the lock.</summary>
        private volatile ICollection<(Address Address, Guid Flow)> accepted = Array.Empty<(Address, Guid)>();

        /// <summary>Loops draining a mailbox and senders inside the handler, right now.</summary>
        private int inside;
        private bool stopped;
        private TaskCompletionSource? idle;
        private Task? finished;

        public Registration(Node node, IReadOnlyList<Address> addresses, IWorker worker, FlowId? produces, WorkerMailbox kind)
        {
            this.node = node;
            this.addresses = addresses;
            this.worker = worker;
            this.kind = kind;
            Produces = produces;
            cancel = CancellationTokenSource.CreateLinkedTokenSource(node.stopping.Token);
            var count = kind switch
            {
                WorkerMailbox.Shared => 1,
                WorkerMailbox.PerAddress => addresses.Count,
                _ => 0,
            };
            mailboxes = new Mailbox[count];
            for (var i = 0; i < count; i++)
            {
                mailboxes[i] = new Mailbox(node.Options.MailboxCapacity, node.Options.MailboxBytes);
            }
        }

        public IReadOnlyList<Address> Addresses => addresses;

        public FlowId? Produces { get; }

        /// <summary>Grants are per address: a channel's decryptor may take a connection's flow while its encryptor takes none.</summary>
        public void Accept(Address address, FlowId flow)
        {
            var grant = (address, flow.Id);
            lock (gate)
            {
                if (!accepted.Contains(grant))
                {
                    if (accepted.Count < GrantsInArray)
                    {
                        (Address, Guid)[] more = [.. accepted, grant];
                        accepted = more;
                    }
                    else
                    {
                        accepted = new HashSet<(Address, Guid)>(accepted) { grant };
                    }
                }
            }
        }

        public bool Accepts(Address address, FlowId flow)
        {
            var grants = accepted;
            return grants.Contains((address, flow.Id)) || (flow.Spawner != Guid.Empty && grants.Contains((address, flow.Spawner)));
        }

        public async ValueTask EnqueueAsync(Address address, Message message, CancellationToken cancellationToken)
        {
            if (kind == WorkerMailbox.None)
            {
                await HandleInSenderAsync(message, cancellationToken).ConfigureAwait(false);
                return;
            }

            var mailbox = mailboxes[kind == WorkerMailbox.PerAddress ? IndexOf(address) : 0];
            while (true)
            {
                Task? room;
                var start = false;
                lock (gate)
                {
                    if (stopped)
                    {
                        throw Stopped();
                    }

                    room = mailbox.TryAdd(message);
                    if (room is null && !mailbox.Draining)
                    {
                        mailbox.Draining = true;
                        inside++;
                        start = true;
                    }
                }

                if (room is null)
                {
                    if (start)
                    {
                        // Without the sender's execution context (its handler's flags, its trace): the loop is no one's.
                        ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Registration.DrainAsync(s.Mailbox), (Registration: this, Mailbox: mailbox), preferLocal: false);
                    }

                    return;
                }

                // Full: wait for the loop to take messages (back-pressure, not loss), then try again.
                try
                {
                    await room.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    lock (gate)
                    {
                        mailbox.Forget(room);
                    }

                    throw;
                }
            }
        }

        public Task StopAsync()
        {
            lock (gate)
            {
                if (!stopped)
                {
                    stopped = true;
                    foreach (var mailbox in mailboxes)
                    {
                        mailbox.Clear();
                    }

                    cancel.Cancel();
                    idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    if (inside == 0)
                    {
                        idle.TrySetResult();
                    }

                    // Run, not called: disposing the worker must not happen under this lock.
                    var ended = idle.Task;
                    finished = Task.Run(() => FinishAsync(ended));
                }
            }

            // A worker stopping itself must not wait for its own handler to end.
            return insideHandler.Value ? Task.CompletedTask : finished!;
        }

        private int IndexOf(Address address)
        {
            for (var i = 0; i < addresses.Count; i++)
            {
                if (addresses[i].Equals(address))
                {
                    return i;
                }
            }

            throw new RoutingException(RoutingError.NoSuchWorker, $"no worker at {address}");
        }

        private RoutingException Stopped() => new(RoutingError.NoSuchWorker, $"the worker at {addresses[0]} has stopped");

        /// <summary>A loop or a sender has left the handler; the last one out of a stopped worker lets it finish.</summary>
        private void Leave()
        {
            lock (gate)
            {
                if (--inside == 0 && stopped)
                {
                    idle!.TrySetResult();
                }
            }
        }

        private async ValueTask HandleInSenderAsync(Message message, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                if (stopped)
                {
                    throw Stopped();
                }

                inside++;
            }

            try
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cancel.Token);
                insideHandler.Value = true;
                await worker.HandleMessageAsync(new WorkerContext(node, addresses), message, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw Stopped();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // As in a mailbox's loop: the worker's failure is its own, not its sender's.
                LogWorkerFailed(node.logger, e, addresses[0]);
            }
            finally
            {
                Leave();
            }
        }

        /// <summary>
        /// Hands the worker its mailbox's messages in order until the mailbox is empty: one at a time, or, to an
        /// <see cref="IBatchWorker"/>, everything the mailbox holds at once (up to <see cref="IBatchWorker.MaxBatch"/>).
        /// </summary>
        private async Task DrainAsync(Mailbox mailbox)
        {
            var context = new WorkerContext(node, addresses);
            var batcher = worker as IBatchWorker;
            var max = batcher is null ? 1 : IBatchWorker.MaxBatch;
            var batch = new List<Message>();
            try
            {
                while (true)
                {
                    batch.Clear();
                    lock (gate)
                    {
                        if (!stopped)
                        {
                            mailbox.Take(batch, max);
                        }

                        if (batch.Count == 0)
                        {
                            mailbox.Draining = false;
                            return;
                        }
                    }

                    insideHandler.Value = true;
                    try
                    {
                        if (batcher is null)
                        {
                            await worker.HandleMessageAsync(context, batch[0], cancel.Token).ConfigureAwait(false);
                        }
                        else
                        {
                            await batcher.HandleMessagesAsync(context, batch, cancel.Token).ConfigureAwait(false);
                        }
                    }
                    catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception e)
                    {
                        // One bad message must not kill the worker (and with it every other peer's traffic).
                        LogWorkerFailed(node.logger, e, addresses[0]);
                    }
                    finally
                    {
                        insideHandler.Value = false;
                    }
                }
            }
            finally
            {
                Leave();
            }
        }

        /// <summary>Once every loop (and every sender inside the handler) has ended, the worker is disposed.</summary>
        private async Task FinishAsync(Task ended)
        {
            await ended.ConfigureAwait(false);
            cancel.Dispose();
            switch (worker)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
