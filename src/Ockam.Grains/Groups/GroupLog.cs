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
internal sealed class GroupLog(IPersistentState<GroupState> state, IVault vault, GroupOptions options, IGrainFactory grains, string groupId)
{
    private string Room => groupId;

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

    public async Task<GroupOutcome> CommitAsync(string caller, byte[] commit, IReadOnlyDictionary<string, string> relays)
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
                next.Add(new RoomMember(id, member.AgreementKey, member.SigningKey, Admin: false, relays.GetValueOrDefault(id) ?? state.State.Pending.FirstOrDefault(p => p.Identifier == id)?.Relay));
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

        // Everyone, the removed included, learns of the new epoch (the removed learn they are out).
        await FanOutAsync(next.Concat(removed), new GroupDelivery(Room, GroupDeliveryKind.Commit, parsed.Body.Epoch, commit));
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
        var messages = state.State.Messages.Append(new LoggedMessage(index, message)).TakeLast(options.Retention).ToList();
        state.State = state.State with { NextIndex = index + 1, Messages = messages };
        await state.WriteStateAsync();
        await FanOutAsync(state.State.Members.Where(m => m.Identifier != caller), new GroupDelivery(Room, GroupDeliveryKind.Message, index, message));
        return GroupOutcome.Ok;
    }

    public Task<GroupCatchUp> CatchUpAsync(string member, ulong afterEpoch, ulong afterIndex)
    {
        if (state.State.Members.All(m => m.Identifier != member))
        {
            return Task.FromResult(new GroupCatchUp(GroupOutcome.NotAMember, [], [], []));
        }

        var commits = state.State.Commits.Where(c => c.Epoch > afterEpoch).Select(c => c.Commit).ToArray();
        var messages = state.State.Messages.Where(m => m.Index > afterIndex).ToList();
        return Task.FromResult(new GroupCatchUp(GroupOutcome.Ok, commits, [.. messages.Select(m => m.Index)], [.. messages.Select(m => m.Message)]));
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
