using Ockam.Grains.Contracts;
using Ockam.Identity.Encoding;
using Ockam.Identity.Groups;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Routing;

namespace Ockam.Grains.Groups;

/// <summary>
/// The logic rooms and topics share (one mechanism, two grain types): ordered epochs, membership and
/// signature checks, bounded logs, pending subscribers, fan-out to members' relays.
/// </summary>
/// <remarks>
/// Deliveries go where each member said (<see cref="ListenAsync"/>, or its relay when it created the group or asked
/// to subscribe): no one names another member's route, so live delivery never depends on who invited whom.
/// </remarks>
internal sealed class GroupLog(IPersistentState<GroupState> state, IVault vault, GroupOptions options, IGrainFactory grains, GroupId group)
{
    /// <summary>What one commit or message costs in an API answer besides its bytes (its key and CBOR headers), counted in a page.</summary>
    private const int EntryOverhead = 32;

    /// <summary>The id commits and messages must be bound to: its kind is part of it, so a topic's never fits a room.</summary>
    private string Room => group.Value;

    public async Task<GroupOutcome> CreateAsync(string creator, byte[] commit, string? relay, string? subscribePolicy = null, string? publishPolicy = null)
    {
        if (state.State.Epoch != 0)
        {
            return GroupOutcome.Exists;
        }

        if (Parse(commit) is not { } parsed || parsed.Body.Epoch != 1 || parsed.Body.Committer.ToString() != creator
            || parsed.Body.Members is not [var only] || only.Identifier.ToString() != creator || !Signed(parsed, only.SigningKey))
        {
            return GroupOutcome.Invalid;
        }

        if (!await OwnsAsync(creator, relay))
        {
            return GroupOutcome.RelayNotOwned;
        }

        state.State = new GroupState
        {
            Epoch = 1,
            Members = [new RoomMember(creator, only.AgreementKey, only.SigningKey, Admin: true, relay)],
            Commits = [new LoggedCommit(1, commit)],
            SubscribePolicy = subscribePolicy,
            PublishPolicy = publishPolicy,
        };
        await state.WriteStateAsync();
        return GroupOutcome.Ok;
    }

    public async Task<GroupOutcome> CommitAsync(string caller, byte[] commit)
    {
        if (state.State.Epoch == 0)
        {
            return GroupOutcome.Unknown;
        }

        var current = state.State.Members.FirstOrDefault(m => m.Identifier == caller);
        if (current is null)
        {
            return GroupOutcome.NotAMember;
        }

        if (Parse(commit) is not { } parsed || parsed.Body.Committer.ToString() != caller || !Signed(parsed, current.SigningKey)
            || parsed.Body.Members.Count > options.MaxMembers
            || parsed.Body.Packages.Count != parsed.Body.Members.Count
            || parsed.Body.Members.Select(m => m.Identifier).Distinct().Count() != parsed.Body.Members.Count
            || !parsed.Body.Members.All(m => parsed.Body.Packages.Any(p => p.Member == m.Identifier)))
        {
            return GroupOutcome.Invalid;
        }

        // One epoch change at a time: a commit built on an older epoch lost the race.
        if (parsed.Body.Epoch != state.State.Epoch + 1)
        {
            return GroupOutcome.Conflict;
        }

        var next = new List<RoomMember>();
        foreach (var member in parsed.Body.Members)
        {
            var id = member.Identifier.ToString();
            if (state.State.Members.FirstOrDefault(m => m.Identifier == id) is { } known)
            {
                // A member's keys are its own: no committer may swap them for keys it controls.
                if (!known.AgreementKey.AsSpan().SequenceEqual(member.AgreementKey) || !known.SigningKey.AsSpan().SequenceEqual(member.SigningKey))
                {
                    return GroupOutcome.Invalid;
                }

                next.Add(known);
            }
            else
            {
                // A new member's route is its own to name: the relay it subscribed with (checked then), or none until it listens.
                next.Add(new RoomMember(id, member.AgreementKey, member.SigningKey, Admin: false, state.State.Pending.FirstOrDefault(p => p.Identifier == id)?.Relay));
            }
        }

        var changesMembership = next.Count != state.State.Members.Count || next.Any(n => state.State.Members.All(m => m.Identifier != n.Identifier));
        if (changesMembership && !current.Admin)
        {
            return GroupOutcome.NotAdmin;
        }

        var removed = state.State.Members.Where(m => next.All(n => n.Identifier != m.Identifier)).ToList();
        var commits = state.State.Commits.Append(new LoggedCommit(parsed.Body.Epoch, commit)).TakeLast(options.CommitRetention).ToList();
        var pending = state.State.Pending.Where(p => next.All(n => n.Identifier != p.Identifier)).ToList();
        state.State = state.State with { Epoch = parsed.Body.Epoch, Members = next, Commits = commits, Pending = pending };
        await state.WriteStateAsync();

        // Everyone, the removed included, learns of the new epoch (the removed learn they are out). The delivery
        // carries the log's last message index: a member that has not handed on that one yet must read the log
        // first, since applying the commit would leave the messages before it unreadable.
        await FanOutAsync(next.Concat(removed), new GroupDelivery(group, GroupDeliveryKind.Commit, state.State.NextIndex - 1, commit));
        return GroupOutcome.Ok;
    }

    public async Task<GroupOutcome> SendAsync(string caller, byte[] message)
    {
        if (state.State.Epoch == 0)
        {
            return GroupOutcome.Unknown;
        }

        var sender = state.State.Members.FirstOrDefault(m => m.Identifier == caller);
        if (sender is null)
        {
            return GroupOutcome.NotAMember;
        }

        GroupMessage parsed;
        try
        {
            parsed = GroupMessage.Decode(message);
        }
        catch (OckamDecodeException)
        {
            return GroupOutcome.Invalid;
        }

        if (parsed.Group != Room || parsed.Sender.ToString() != caller)
        {
            return GroupOutcome.Invalid;
        }

        if (parsed.Epoch != state.State.Epoch)
        {
            return GroupOutcome.Conflict;
        }

        if (!parsed.IsSignedBy(vault, sender.SigningKey))
        {
            return GroupOutcome.Invalid;
        }

        var index = state.State.NextIndex;
        var messages = Retained([.. state.State.Messages, new LoggedMessage(index, message)]);
        state.State = state.State with { NextIndex = index + 1, Messages = messages };
        await state.WriteStateAsync();
        await FanOutAsync(state.State.Members.Where(m => m.Identifier != caller), new GroupDelivery(group, GroupDeliveryKind.Message, index, message));
        return GroupOutcome.Ok;
    }

    /// <summary>
    /// One page: commits after <paramref name="afterEpoch"/> first, then messages after <paramref name="afterIndex"/>,
    /// both oldest first, up to <see cref="GroupOptions.CatchUpPageBytes"/> (a page holds at least one item, so
    /// paging always moves on). A member asks again after the last epoch and index it got while <c>More</c> is set.
    /// </summary>
    public Task<GroupCatchUp> CatchUpAsync(string member, ulong afterEpoch, ulong afterIndex)
    {
        if (state.State.Members.All(m => m.Identifier != member))
        {
            return Task.FromResult(new GroupCatchUp(GroupOutcome.NotAMember, [], [], []));
        }

        var used = 0;
        var more = false;
        bool Fits(byte[] item)
        {
            if (used > 0 && used + item.Length + EntryOverhead > options.CatchUpPageBytes)
            {
                more = true;
                return false;
            }

            used += item.Length + EntryOverhead;
            return true;
        }

        var commits = state.State.Commits.Where(c => c.Epoch > afterEpoch).Select(c => c.Commit).TakeWhile(Fits).ToArray();
        var messages = more ? [] : state.State.Messages.Where(m => m.Index > afterIndex).TakeWhile(m => Fits(m.Message)).ToList();
        return Task.FromResult(new GroupCatchUp(GroupOutcome.Ok, commits, [.. messages.Select(m => m.Index)], [.. messages.Select(m => m.Message)], more));
    }

    /// <summary>
    /// <paramref name="member"/> names where its deliveries go from now on: a relay it owns. Only the member itself
    /// (the gateway passes the caller) sets its route, so no one can point a member's deliveries elsewhere or
    /// leave it without them.
    /// </summary>
    public async Task<GroupOutcome> ListenAsync(string member, string relay)
    {
        if (state.State.Epoch == 0)
        {
            return GroupOutcome.Unknown;
        }

        var index = state.State.Members.FindIndex(m => m.Identifier == member);
        if (index < 0)
        {
            return GroupOutcome.NotAMember;
        }

        if (!await OwnsAsync(member, relay))
        {
            return GroupOutcome.RelayNotOwned;
        }

        if (state.State.Members[index].Relay != relay)
        {
            state.State.Members[index] = state.State.Members[index] with { Relay = relay };
            await state.WriteStateAsync();
        }

        return GroupOutcome.Ok;
    }

    public async Task<GroupOutcome> RequestJoinAsync(string identifier, string? relay)
    {
        if (state.State.Epoch == 0)
        {
            return GroupOutcome.Unknown;
        }

        if (state.State.Members.Any(m => m.Identifier == identifier) || state.State.Pending.Any(p => p.Identifier == identifier))
        {
            return GroupOutcome.Exists;
        }

        if (state.State.Pending.Count >= options.MaxMembers)
        {
            return GroupOutcome.Conflict;
        }

        if (!await OwnsAsync(identifier, relay))
        {
            return GroupOutcome.RelayNotOwned;
        }

        state.State.Pending.Add(new PendingJoin(identifier, relay));
        await state.WriteStateAsync();
        return GroupOutcome.Ok;
    }

    public Task<GroupInfo> GetInfoAsync() => Task.FromResult(new GroupInfo(
        state.State.Epoch > 0,
        state.State.Epoch,
        [.. state.State.Members.Select(m => m.Identifier)],
        [.. state.State.Members.Where(m => m.Admin).Select(m => m.Identifier)],
        state.State.NextIndex - 1,
        state.State.SubscribePolicy,
        state.State.PublishPolicy,
        [.. state.State.Pending.Select(p => p.Identifier)],
        [.. state.State.Pending.Select(p => p.Relay)]));

    private async Task FanOutAsync(IEnumerable<RoomMember> members, GroupDelivery delivery)
    {
        var envelope = MessageCodec.Encode(new Message(Route.Of(Address.Local(GroupDelivery.InboxAddress)), Route.Empty, delivery.Encode()));

        // Best effort: a member whose relay refuses (full, unknown) catches up from the log.
        await Task.WhenAll(members.Where(m => m.Relay is not null).Select(m => grains.GetGrain<IRelayGrain>(m.Relay!).SendAsync(envelope, 0, RelayOrigin.Service)));
    }

    /// <summary>
    /// Fan-out goes only to a relay its member owns: otherwise a room would fill a stranger's mailbox. Relay names
    /// are claimed once and never change hands, so checking when a relay is named is enough; an unclaimed name
    /// is refused too (whoever claims it later would get the room's traffic).
    /// </summary>
    private async Task<bool> OwnsAsync(string member, string? relay) =>
        relay is null || (await grains.GetGrain<IRelayGrain>(relay).GetStatusAsync()).Owner == member;

    /// <summary>The newest messages within both bounds, count and bytes; the oldest go first (the newest always stays).</summary>
    private List<LoggedMessage> Retained(List<LoggedMessage> messages)
    {
        var bytes = messages.Sum(m => (long)m.Message.Length);
        var drop = 0;
        while (messages.Count - drop > 1 && (messages.Count - drop > options.Retention || bytes > options.RetentionBytes))
        {
            bytes -= messages[drop].Message.Length;
            drop++;
        }

        return messages.GetRange(drop, messages.Count - drop);
    }

    private GroupCommit? Parse(byte[] commit)
    {
        try
        {
            var parsed = GroupCommit.Decode(commit);
            return parsed.Body.Group == Room ? parsed : null;
        }
        catch (OckamDecodeException)
        {
            return null;
        }
    }

    private bool Signed(GroupCommit commit, byte[] signingKey) => commit.IsSignedBy(vault, signingKey);
}
