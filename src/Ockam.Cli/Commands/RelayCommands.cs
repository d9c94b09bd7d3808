using System.CommandLine;
using System.Text;
using System.Text.Json;
using Ockam.Client.Edge;
using Ockam.Identity.Identities;
using Ockam.Identity.Policies;
using Ockam.Messaging.SecureChannels;
using Spectre.Console;

namespace Ockam.Cli.Commands;

/// <summary><c>ockam relay create</c>, <c>ockam send</c>, <c>ockam listen</c>: end-to-end messages through the silo's relays.</summary>
internal static class RelayCommands
{
    private const string AnyMember = "(exists? subject.ockam.role)";

    public static Command Relay()
    {
        var name = new Argument<string>("name") { Description = "The relay's name (your credential's ockam.relay attribute must allow it)" };
        var create = new Command("create", "Claim a relay: messages sent to it reach this node, or wait for it") { name };
        create.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            await using var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
            await node.CreateRelayAsync(result.GetValue(name)!, token).ConfigureAwait(false);
            cli.Report("relay", [("name", result.GetValue(name)), ("owner", node.Identifier)]);
            return ExitCode.Ok;
        }, ct));
        return new Command("relay", "Relays: named mailboxes at the silo") { create };
    }

    public static Command Send()
    {
        var to = new Option<string>("--to") { Description = "The relay whose owner should get the message", Required = true };
        var peer = new Option<string>("--peer-policy") { Description = "Who the owner must prove to be over a live channel (an ABAC policy)", DefaultValueFactory = _ => AnyMember };
        var sealedOnly = new Option<bool>("--sealed") { Description = "Seal to the owner's identity and leave it in the relay's mailbox, even if the owner is online" };
        var recipient = new Option<string?>("--recipient") { Description = "The identifier the relay's owner must have for sealed mail (else the silo names the owner)" };
        var message = new Argument<string>("message") { Description = "The message, or - to send each line of standard input" };
        var send = new Command("send", "Send end to end through a relay: live if the owner is online, else sealed to it; the silo routes and stores ciphertext only") { to, peer, sealedOnly, recipient, message };
        send.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            var policy = ParsePolicy(result.GetValue(peer)!);
            var pinned = ParseRecipient(result.GetValue(recipient));
            var relay = result.GetValue(to)!;
            await using var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
            var channel = result.GetValue(sealedOnly) ? null : await TryConnectAsync(node, relay, policy, token).ConfigureAwait(false);
            var mailKey = channel is null ? await node.GetMailKeyAsync(relay, pinned, token).ConfigureAwait(false) : null;
            Task SendOneAsync(string text) => channel is not null
                ? node.SendAsync(channel, Encoding.UTF8.GetBytes(text), token).AsTask()
                : node.SendSealedAsync(relay, mailKey!, Encoding.UTF8.GetBytes(text), token);

            var count = 0;
            if (result.GetValue(message) == "-")
            {
                while (await Console.In.ReadLineAsync(token).ConfigureAwait(false) is { } line)
                {
                    await SendOneAsync(line).ConfigureAwait(false);
                    count++;
                }
            }
            else
            {
                await SendOneAsync(result.GetValue(message)!).ConfigureAwait(false);
                count = 1;
            }

            // A round trip on the same connection: everything sent before it has reached the silo.
            await node.PingAsync(token).ConfigureAwait(false);
            cli.Report("sent", [("to", relay), ("peer", channel?.Peer.Identifier ?? mailKey!.Subject), ("sealed", channel is null), ("messages", count)]);
            return ExitCode.Ok;
        }, ct));
        return send;
    }

    /// <summary>A live channel to the relay's owner, or null when it is offline or its handshake fails or times out (the message is then sealed).</summary>
    private static async Task<SecureChannel?> TryConnectAsync(EdgeNode node, string relay, Policy policy, CancellationToken cancellationToken)
    {
        if (!await node.IsOnlineAsync(relay, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        try
        {
            return await node.ConnectAsync(relay, policy, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HandshakeException or TimeoutException)
        {
            return null;
        }
    }

    private static Identifier? ParseRecipient(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return Identifier.TryParse(text, out var identifier) ? identifier : throw new CliException(ExitCode.Usage, $"bad --recipient: not an identifier: {text}");
    }

    public static Command Listen()
    {
        var relay = new Option<string>("--relay") { Description = "The relay to receive from (claimed first if this node may)", Required = true };
        var peer = new Option<string>("--peer-policy") { Description = "Who senders must prove to be (an ABAC policy)", DefaultValueFactory = _ => AnyMember };
        var count = new Option<int?>("--count") { Description = "Stop after this many messages" };
        var listen = new Command("listen", "Print messages as they arrive (the relay's mailbox first, in order)") { relay, peer, count };
        listen.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            var policy = ParsePolicy(result.GetValue(peer)!);
            await using var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
            var name = result.GetValue(relay)!;
            await node.CreateRelayAsync(name, token).ConfigureAwait(false);
            await node.AcceptAsync(policy, token).ConfigureAwait(false);
            await node.ListenAsync(name, token).ConfigureAwait(false);
            if (!cli.Json)
            {
                AnsiConsole.MarkupLine($"[grey]listening on relay[/] {Markup.Escape(name)} [grey]as[/] {node.Identifier}");
            }

            var received = 0;
            var limit = result.GetValue(count);
            try
            {
                await foreach (var item in node.ReceiveAllAsync(token).ConfigureAwait(false))
                {
                    var text = Encoding.UTF8.GetString(item.Payload.Span);
                    Console.Out.WriteLine(cli.Json
                        ? JsonSerializer.Serialize(new Dictionary<string, string> { ["from"] = item.Sender.ToString(), ["message"] = text, ["sealed"] = item.Sealed ? "true" : "false" }, CliJson.Default.DictionaryStringString)
                        : text);
                    await Console.Out.FlushAsync(token).ConfigureAwait(false);
                    if (++received == limit)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Ctrl-C: a normal way to stop listening.
            }

            return ExitCode.Ok;
        }, ct));
        return listen;
    }

    public static Command Channel()
    {
        var check = new Command("check", "Open a secure channel to the silo and report what it proved");
        check.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            await using var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
            var roundTrip = await node.PingAsync(token).ConfigureAwait(false);
            cli.Report("channel", [
                ("silo", SiloSettings.Load(cli.Home)!.Identifier),
                ("this node", node.Identifier),
                ("as member", node.Credential is not null),
                ("round trip", $"{roundTrip.TotalMilliseconds:F1} ms"),
                ("credential expires", node.Credential?.Credential.Data.ExpiresAt),
            ]);
            return ExitCode.Ok;
        }, ct));
        return new Command("channel", "Secure-channel diagnostics") { check };
    }

    private static Policy ParsePolicy(string source)
    {
        try
        {
            return Policy.Parse(source);
        }
        catch (PolicyParseException e)
        {
            throw new CliException(ExitCode.Usage, $"bad --peer-policy: {e.Message}");
        }
    }
}
