using System.CommandLine;
using System.Text;
using System.Text.Json;
using Ockam.Client.Edge;
using Ockam.Identity.Identities;
using Ockam.Identity.Policies;

namespace Ockam.Client.Cli.Commands;

/// <summary><c>ockam room ...</c> and <c>ockam topic ...</c>: encrypted groups the silo orders and fans out but cannot read.</summary>
internal static class RoomCommands
{
    public static Command Room()
    {
        var name = new Argument<string>("room") { Description = "The room's name" };
        var member = new Argument<string>("identifier") { Description = "The member's identifier" };
        var relay = new Option<string?>("--relay") { Description = "The relay messages reach this node (or the invited member) through" };
        var message = new Argument<string>("message") { Description = "The message" };
        var count = new Option<int?>("--count") { Description = "Stop after this many messages" };

        var create = new Command("create", "Create a room with this node as its only member and admin") { name, relay };
        create.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            await using var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
            await (await node.RoomsAsync(token).ConfigureAwait(false)).CreateAsync(result.GetValue(name)!, result.GetValue(relay), token).ConfigureAwait(false);
            cli.Report("room", [("room", result.GetValue(name)), ("epoch", 1), ("admin", node.Identifier)]);
            return ExitCode.Ok;
        }, ct));

        var invite = new Command("invite", "Add a member: a new epoch whose secret is sealed to its attested key") { name, member, relay };
        invite.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            var (node, rooms) = await EnterAsync(cli, result.GetValue(name)!, token).ConfigureAwait(false);
            await using (node)
            {
                await rooms.InviteAsync(result.GetValue(name)!, Parse(result.GetValue(member)!), result.GetValue(relay), token).ConfigureAwait(false);
                cli.Report("room", [("room", result.GetValue(name)), ("epoch", rooms.Epoch(result.GetValue(name)!)), ("members", rooms.Members(result.GetValue(name)!).Count)]);
                return ExitCode.Ok;
            }
        }, ct));

        var remove = new Command("remove", "Remove a member: a new epoch it cannot read") { name, member };
        remove.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            var (node, rooms) = await EnterAsync(cli, result.GetValue(name)!, token).ConfigureAwait(false);
            await using (node)
            {
                await rooms.RemoveAsync(result.GetValue(name)!, Parse(result.GetValue(member)!), token).ConfigureAwait(false);
                cli.Report("room", [("room", result.GetValue(name)), ("epoch", rooms.Epoch(result.GetValue(name)!)), ("members", rooms.Members(result.GetValue(name)!).Count)]);
                return ExitCode.Ok;
            }
        }, ct));

        var members = new Command("members", "List the room's members (this node's view of the current epoch)") { name };
        members.SetAction((result, ct) => CliContext.RunAsync(result, async (cli, token) =>
        {
            var (node, rooms) = await EnterAsync(cli, result.GetValue(name)!, token).ConfigureAwait(false);
            await using (node)
            {
                cli.Report("room", [
                    ("room", result.GetValue(name)),
                    ("epoch", rooms.Epoch(result.GetValue(name)!)),
                    ("members", rooms.Members(result.GetValue(name)!).Select(m => m.Identifier.ToString())),
                ]);
                return ExitCode.Ok;
            }
        }, ct));

        var send = new Command("send", "Encrypt, sign and send a message to the room") { name, message };
        send.SetAction((result, ct) => CliContext.RunAsync(result, (cli, token) => SendAsync(cli, result.GetValue(name)!, result.GetValue(message)!, admit: false, token), ct));

        var listen = new Command("listen", "Print the room's messages as they arrive (what was missed first)") { name, relay, count };
        listen.SetAction((result, ct) => CliContext.RunAsync(result, (cli, token) => ListenAsync(cli, result.GetValue(name)!, result.GetValue(relay), result.GetValue(count), subscribe: false, token), ct));

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
        publish.SetAction((result, ct) => CliContext.RunAsync(result, (cli, token) => SendAsync(cli, RoomClient.Topic(result.GetValue(name)!), result.GetValue(message)!, admit: true, token), ct));

        var subscribe = new Command("subscribe", "Subscribe (if the credentials allow) and print publications as they arrive") { name, relay, count };
        subscribe.SetAction((result, ct) => CliContext.RunAsync(result, (cli, token) => ListenAsync(cli, RoomClient.Topic(result.GetValue(name)!), result.GetValue(relay), result.GetValue(count), subscribe: true, token), ct));

        return new Command("topic", "Encrypted publish/subscribe topics") { create, publish, subscribe };
    }

    private static async Task<int> SendAsync(CliContext cli, string room, string message, bool admit, CancellationToken token)
    {
        var (node, rooms) = await EnterAsync(cli, room, token).ConfigureAwait(false);
        await using (node)
        {
            var admitted = admit ? await rooms.AdmitPendingAsync(Ockam.Messaging.Api.GroupDelivery.TopicOf(room)!, token).ConfigureAwait(false) : 0;
            await rooms.SendAsync(room, Encoding.UTF8.GetBytes(message), token).ConfigureAwait(false);
            cli.Report("sent", [("room", room), ("epoch", rooms.Epoch(room)), ("admitted", admitted)]);
            return ExitCode.Ok;
        }
    }

    private static async Task<int> ListenAsync(CliContext cli, string room, string? relay, int? limit, bool subscribe, CancellationToken token)
    {
        await using var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
        var rooms = await node.RoomsAsync(token).ConfigureAwait(false);
        if (relay is not null)
        {
            await node.CreateRelayAsync(relay, token).ConfigureAwait(false);
            await node.ListenAsync(relay, token).ConfigureAwait(false);
        }

        if (subscribe && !rooms.KnownRooms.Contains(room))
        {
            await rooms.SubscribeAsync(Ockam.Messaging.Api.GroupDelivery.TopicOf(room)!, relay, token).ConfigureAwait(false);
        }
        else
        {
            try
            {
                await EnterAsync(rooms, room, token).ConfigureAwait(false);
            }
            catch (EdgeException e) when (e.Status == Ockam.Messaging.Api.ApiStatus.Denied && relay is not null)
            {
                // Not invited yet: the invitation (a commit) arrives through the relay.
            }
        }

        var received = 0;
        try
        {
            while (limit is null || received < limit)
            {
                var message = await rooms.ReceiveAsync(token).ConfigureAwait(false);
                var text = Encoding.UTF8.GetString(message.Payload.Span);
                Console.Out.WriteLine(cli.Json
                    ? JsonSerializer.Serialize(new Dictionary<string, string> { ["room"] = message.Room, ["from"] = message.Sender.ToString(), ["message"] = text }, CliJson.Default.DictionaryStringString)
                    : $"{message.Sender.ToString()[..9]}: {text}");
                await Console.Out.FlushAsync(token).ConfigureAwait(false);
                received++;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }

        return ExitCode.Ok;
    }

    private static async Task<(EdgeNode Node, RoomClient Rooms)> EnterAsync(CliContext cli, string room, CancellationToken token)
    {
        var node = await cli.OpenEdgeAsync(token).ConfigureAwait(false);
        try
        {
            var rooms = await node.RoomsAsync(token).ConfigureAwait(false);
            await EnterAsync(rooms, room, token).ConfigureAwait(false);
            return (node, rooms);
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A room this node knows resumes where it was; one it was invited to is joined from the room's log.</summary>
    private static Task EnterAsync(RoomClient rooms, string room, CancellationToken token) =>
        rooms.KnownRooms.Contains(room) ? rooms.ResumeAsync(room, token) : rooms.CatchUpAsync(room, token);

    private static Identifier Parse(string identifier) =>
        Identifier.TryParse(identifier, out var parsed) ? parsed : throw new CliException(ExitCode.Usage, $"'{identifier}' is not an identifier");
}
