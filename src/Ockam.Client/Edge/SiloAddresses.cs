using System.Net.Sockets;
using Ockam.Messaging.Transports;

namespace Ockam.Client.Edge;

/// <summary>
/// The edge gateways of one silo cluster (every silo proves the same identity), tried in turn: a node connects to the
/// one it last reached while that one accepts connections, and to the next that does when it no longer does (its
/// process or machine is gone), so that the loss of one silo costs its nodes a reconnect, not their service.
/// </summary>
public sealed class SiloAddresses
{
    /// <summary>How long a silo that neither accepts nor refuses may keep a node from trying the next.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private readonly (string Text, string Host, int Port)[] addresses;
    private int current;

    private SiloAddresses((string Text, string Host, int Port)[] addresses) => this.addresses = addresses;

    /// <summary>Parses <c>host:port</c>, or several separated by commas.</summary>
    /// <exception cref="FormatException">Empty, or an entry that is not <c>host:port</c>.</exception>
    public static SiloAddresses Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var addresses = new (string, string, int)[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TcpTransport.TryParseHostPort(parts[i], out var host, out var port))
            {
                throw new FormatException($"'{parts[i]}' is not host:port (several silos are separated by commas)");
            }

            addresses[i] = (parts[i], host, port);
        }

        return new SiloAddresses(addresses);
    }

    /// <summary>
    /// The address to open the channel to: with one, that one; with several, the first, from the last one reached, that
    /// accepts a TCP connection (else the last one reached, for the channel's own attempt to report why).
    /// </summary>
    internal async Task<string> ReachableAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var start = Volatile.Read(ref current);
        if (addresses.Length == 1)
        {
            return addresses[0].Text;
        }

        for (var i = 0; i < addresses.Length; i++)
        {
            var index = (start + i) % addresses.Length;
            if (await AcceptsAsync(addresses[index], time, cancellationToken).ConfigureAwait(false))
            {
                Volatile.Write(ref current, index);
                return addresses[index].Text;
            }
        }

        return addresses[start].Text;
    }

    /// <summary>Whether each address accepts a TCP connection now, in the order given (diagnostics: <c>ockam status</c>).</summary>
    public async Task<IReadOnlyList<(string Address, bool Accepts)>> ProbeAllAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var accepts = await Task.WhenAll(addresses.Select(a => AcceptsAsync(a, time, cancellationToken))).ConfigureAwait(false);
        return [.. addresses.Select((a, i) => (a.Text, accepts[i]))];
    }

    /// <summary>Opens and closes a TCP connection: a silo whose process is gone refuses at once, a lost host times out.</summary>
    private static async Task<bool> AcceptsAsync((string Text, string Host, int Port) address, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(ProbeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address.Host, address.Port, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
