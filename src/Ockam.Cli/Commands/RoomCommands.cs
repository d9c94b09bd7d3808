using System.CommandLine;
using System.Text;
using System.Text.Json;
using Ockam.Client.Edge;
using Ockam.Identity.Identities;
using Ockam.Identity.Policies;
using Ockam.Messaging.Api;

namespace Ockam.Cli.Commands;

/// <summary><c>ockam room ...</c> and <c>ockam topic ...</c>: encrypted groups the silo orders and fans out but cannot read.</summary>
internal static class RoomCommands
{
    public static Command Room()
    {
        var name = new Argument<string>("room") { Description = "The room's name" };
        var member = new Argument<string>("identifier") { Description = "The member's identifier" };
        var relay = new Option<string?>("--relay") { Description = "A relay this node owns for its deliveries (default: the connection it listens on)" };
        var message = new Argument<string>("message") { Description = "The message" };
        var count = new Option<int?>("--count") { Description = "Stop after this many messages" };

        var create = new Command("create", "Create a room with this node as its only member and admin") { name, relay };
        create.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            await using var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
            await (await node.RoomsAsync(token).ConfigureAwait(false)).CreateAsync(result.GetValue(name)!, result.GetValue(relay), token).ConfigureAwait(false);
            cli.Report("room", [("room", result.GetValue(name)), ("epoch", 0), ("admin", node.Identifier)]);
            return ExitCode.Ok;
        }, ct));

        var invite = new Command("invite", "Add a member (enrolled: its group keys are published then): a new epoch whose secret is sealed to its attested key") { name, member };
        invite.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            var room = GroupId.Room(result.GetValue(name)!);
            var (node, rooms) = await EnterAsync(cli, room, token).ConfigureAwait(false);
            await using (node)
            {
                await rooms.InviteAsync(room, Parse(result.GetValue(member)!), token).ConfigureAwait(false);
                cli.Report("room", [("room", room.Name), ("epoch", rooms.Epoch(room)), ("members", rooms.Members(room).Count)]);
                return ExitCode.Ok;
            }
        }, ct));

        var remove = new Command("remove", "Remove a member: a new epoch it cannot read") { name, member };
        remove.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            var room = GroupId.Room(result.GetValue(name)!);
            var (node, rooms) = await EnterAsync(cli, room, token).ConfigureAwait(false);
            await using (node)
            {
                await rooms.RemoveAsync(room, Parse(result.GetValue(member)!), token).ConfigureAwait(false);
                cli.Report("room", [("room", room.Name), ("epoch", rooms.Epoch(room)), ("members", rooms.Members(room).Count)]);
                return ExitCode.Ok;
            }
        }, ct));

        var members = new Command("members", "List the room's members (this node's view of the current epoch)") { name };
        members.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            var room = GroupId.Room(result.GetValue(name)!);
            var (node, rooms) = await EnterAsync(cli, room, token).ConfigureAwait(false);
            await using (node)
            {
                cli.Report("room", [
                    ("room", room.Name),
                    ("epoch", rooms.Epoch(room)),
                    ("members", rooms.Members(room).Select(m => m.ToString())),
                ]);
                return ExitCode.Ok;
            }
        }, ct));

        var send = new Command("send", "Encrypt, sign and send a message to the room") { name, message };
        send.SetAction((result, ct) => CliContext.RunAsync(result, (cli, token) => SendAsync(cli, GroupId.Room(result.GetValue(name)!), result.GetValue(message)!, token), ct));

        var listen = new Command("listen", "Print the room's messages: what was missed, then live, each once (waits to be invited if need be)") { name, relay, count };
        listen.SetAction((result, ct) => CliContext.RunAsync(result, (cli, token) => ListenAsync(cli, GroupId.Room(result.GetValue(name)!), result.GetValue(relay), result.GetValue(count), token), ct));

        return new Command("room", "Encrypted group rooms") { create, invite, remove, members, send, listen };
    }

    public static Command Topic()
    {
        var name = new Argument<string>("topic") { Description = "The topic's name" };
        var relay = new Option<string?>("--relay") { Description = "The relay messages reach this node through" };
        var subscribePolicy = new Option<string>("--subscribe-policy") { Description = "Who may subscribe (ABAC over credentials)", Required = true };
        var publishPolicy = new Option<string>("--publish-policy") { Description = "Who may publish (ABAC over credentials)", Required = true };
        var message = new Argument<string>("message") { Description = "The message" };
        var count = new Option<int?>("--count") { Description = "Stop after this many messages" };

        var create = new Command("create", "Create a topic; this node is its admin") { name, relay, subscribePolicy, publishPolicy };
        create.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            foreach (var source in new[] { result.GetValue(subscribePolicy)!, result.GetValue(publishPolicy)! })
            {
                try
                {
                    Policy.Parse(source);
                }
                catch (PolicyParseException e)
                {
                    throw new CliException(ExitCode.Usage, $"bad policy: {e.Message}");
                }
            }

            await using var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
            var rooms = await node.RoomsAsync(token).ConfigureAwait(false);
            await rooms.CreateTopicAsync(result.GetValue(name)!, result.GetValue(relay), result.GetValue(subscribePolicy)!, result.GetValue(publishPolicy)!, token).ConfigureAwait(false);
            cli.Report("topic", [("topic", result.GetValue(name)), ("subscribe", result.GetValue(subscribePolicy)), ("publish", result.GetValue(publishPolicy))]);
            return ExitCode.Ok;
        }, ct));

        var publish = new Command("publish", "Admit waiting subscribers, then publish") { name, message };
        publish.SetAction((result, ct) => CliContext.RunAsync(result, (cli, token) => SendAsync(cli, GroupId.Topic(result.GetValue(name)!), result.GetValue(message)!, token), ct));

        var subscribe = new Command("subscribe", "Subscribe (if the credentials allow) and print publications as they arrive") { name, relay, count };
        subscribe.SetAction((result, ct) => CliContext.RunAsync(result, (cli, token) => ListenAsync(cli, GroupId.Topic(result.GetValue(name)!), result.GetValue(relay), result.GetValue(count), token), ct));

        return new Command("topic", "Encrypted publish/subscribe topics") { create, publish, subscribe };
    }

    /// <summary>Sends to a room, or publishes to a topic after admitting the subscribers waiting for its admin.</summary>
    private static async Task<int> SendAsync(CliContext cli, GroupId group, string message, CancellationToken token)
    {
        var (node, rooms) = await EnterAsync(cli, group, token).ConfigureAwait(false);
        await using (node)
        {
            var admitted = group.Kind == GroupKind.Topic ? await rooms.AdmitPendingAsync(group.Name, token).ConfigureAwait(false) : 0;
            await rooms.SendAsync(group, Encoding.UTF8.GetBytes(message), token).ConfigureAwait(false);
            cli.Report("sent", [(group.KindName, group.Name), ("epoch", rooms.Epoch(group)), ("admitted", admitted)]);
            return ExitCode.Ok;
        }
    }

    /// <summary>
    /// Names this node's own delivery route (its relay, or else the connection it listens on), catches up, then prints
    /// live. A topic is subscribed to first; a room or topic this node is not in yet is waited for.
    /// </summary>
    private static async Task<int> ListenAsync(CliContext cli, GroupId group, string? relay, int? limit, CancellationToken token)
    {
        await using var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
        var rooms = await node.RoomsAsync(token).ConfigureAwait(false);
        if (relay is not null)
        {
            await node.CreateRelayAsync(relay, token).ConfigureAwait(false);
            await node.ListenAsync(relay, token).ConfigureAwait(false);
        }

        if (group.Kind == GroupKind.Topic && !(await rooms.KnownAsync(token).ConfigureAwait(false)).Contains(group))
        {
            await rooms.SubscribeAsync(group.Name, relay, token).ConfigureAwait(false);
        }

        var received = 0;
        try
        {
            await ListenUntilMemberAsync(rooms, group, relay, node.Identifier, token).ConfigureAwait(false);
            while (limit is null || received < limit)
            {
                RoomMessage message;
                try
                {
                    message = await rooms.ReceiveAsync(token).ConfigureAwait(false);
                }
                catch (RoomIntegrityException e)
                {
                    // Not a message, and not to be hidden: the log showed a fork, a withheld commit or a forgery.
                    await Console.Error.WriteLineAsync($"warning: {e.Error}: {TerminalText.Escape(e.Message)}").ConfigureAwait(false);
                    continue;
                }

                var text = Encoding.UTF8.GetString(message.Payload.Span);
                Console.Out.WriteLine(cli.Json
                    ? JsonSerializer.Serialize(
                        new Dictionary<string, string>
                        {
                            [message.Group.KindName] = message.Group.Name,
                            ["from"] = message.Sender.ToString(),
                            ["index"] = message.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ["message"] = text,
                        },
                        CliJson.Default.DictionaryStringString)
                    : $"{message.Sender.ToString()[..9]}: {TerminalText.Escape(text)}");
                await Console.Out.FlushAsync(token).ConfigureAwait(false);

                // Only now is it shown: stopped (or crashed) before this line, the next listen shows it again.
                await rooms.AcknowledgeAsync(message, token).ConfigureAwait(false);
                received++;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }

        return ExitCode.Ok;
    }

    /// <summary>Until an admin has added this node (invited it, or admitted its subscription), asks again every second.</summary>
    private static async Task ListenUntilMemberAsync(RoomClient rooms, GroupId group, string? relay, Identifier self, CancellationToken token)
    {
        for (var waiting = false; ; waiting = true)
        {
            try
            {
                await rooms.ListenAsync(group, relay, token).ConfigureAwait(false);
                return;
            }
            catch (EdgeException e) when (e.Status == ApiStatus.Denied)
            {
                if (!waiting)
                {
                    await Console.Error.WriteLineAsync($"not a member of {group.Description} yet: waiting for an admin to add {self}").ConfigureAwait(false);
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
        }
    }

    private static async Task<(EdgeNode Node, RoomClient Rooms)> EnterAsync(CliContext cli, GroupId group, CancellationToken token)
    {
        var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
        try
        {
            var rooms = await node.RoomsAsync(token).ConfigureAwait(false);
            await rooms.EnterAsync(group, token).ConfigureAwait(false);
            return (node, rooms);
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static Identifier Parse(string identifier) =>
        Identifier.TryParse(identifier, out var parsed) ? parsed : throw new CliException(ExitCode.Usage, $"'{identifier}' is not an identifier");
}
