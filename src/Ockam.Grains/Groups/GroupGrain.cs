using Microsoft.Extensions.Options;
using Ockam.Grains.Contracts;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;

namespace Ockam.Grains.Groups;

/// <inheritdoc cref="IGroupGrain"/>
internal sealed class GroupGrain(
    [PersistentState("group", Storage.ProviderName)] IPersistentState<GroupState> state,
    IVault vault,
    IOptions<GroupOptions> options) : Grain, IGroupGrain
{
    private GroupLog? log;

    private GroupLog Log => log ??= new GroupLog(state, vault, options.Value, GrainFactory, GroupId.Room(this.GetPrimaryKeyString()));

    public Task<GroupOutcome> CreateAsync(string creator, byte[] commit, string? relay) => Log.CreateAsync(creator, commit, relay);

    public Task<GroupOutcome> CommitAsync(string caller, byte[] commit) => Log.CommitAsync(caller, commit);

    public Task<GroupOutcome> ListenAsync(string member, string relay) => Log.ListenAsync(member, relay);

    public Task<GroupOutcome> SendAsync(string caller, byte[] message) => Log.SendAsync(caller, message);

    public Task<GroupCatchUp> CatchUpAsync(string member, ulong afterEpoch, ulong afterIndex) => Log.CatchUpAsync(member, afterEpoch, afterIndex);

    public Task<GroupInfo> GetInfoAsync() => Log.GetInfoAsync();
}
