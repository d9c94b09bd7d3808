using Ockam.Client.Edge;
using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Messaging.Api;
using Ockam.Messaging.Api.Operations;
using Ockam.Messaging.Nodes;

namespace Ockam.Client.Tests.Attacks;

/// <summary>
/// A Delivery Service that serves what the test scripts: it accepts the client's creates, commits and sends into one
/// log, in order, and lets the test append entries of its own making — what a compromised silo could show a member.
/// </summary>
internal sealed class ScriptedDeliveryService : IEdgeApi
{
    private readonly List<RoomLogEntry> log = [];

    /// <summary>What a claim of any member's KeyPackage returns.</summary>
    public ClaimKeyPackageResponse? Claimable { get; set; }

    /// <summary>The Welcome of the last commit accepted that had one.</summary>
    public ReadOnlyMemory<byte>? LastWelcome { get; private set; }

    /// <summary>Appends <paramref name="bytes"/> as the log's next entry; returns its index.</summary>
    public ulong Append(GroupDeliveryKind kind, ReadOnlyMemory<byte> bytes)
    {
        lock (log)
        {
            var message = MlsMessage.Decode(bytes.Span);
            var epoch = message.PublicMessage?.Content.Epoch ?? message.PrivateMessage?.Epoch ?? 0;
            var index = (ulong)log.Count + 1;
            log.Add(new RoomLogEntry(index, epoch, kind, bytes.ToArray()));
            return index;
        }
    }

    public Task<TResponse> CallAsync<TRequest, TResponse>(IApiRequest<TRequest, TResponse> request, CancellationToken cancellationToken)
        where TRequest : IApiRequest<TRequest, TResponse>
        where TResponse : class, IApiBody<TResponse>
    {
        object response = request switch
        {
            CreateRoomRequest => EmptyResponse.Instance,
            CommitRoomRequest commit => Committed(commit),
            ClaimKeyPackageRequest => Claimable ?? throw new EdgeException(ApiStatus.BadRequest, "nothing to claim"),
            SendRoomRequest send => Sent(send),
            CatchUpRoomRequest catchUp => Page(catchUp.Index),
            _ => throw new EdgeException(ApiStatus.BadRequest, $"the scripted service does not serve {request.GetType().Name}"),
        };
        return Task.FromResult((TResponse)response);
    }

    /// <summary>A client of a fresh identity in <paramref name="home"/>, speaking to <paramref name="service"/>; dispose both.</summary>
    public static async Task<(RoomClient Client, NodeHome Home, PurposeKey Signing)> ClientAsync(string home, ScriptedDeliveryService service)
    {
        var node = await NodeHome.OpenAsync(home);
        var identity = await node.GetOrCreateIdentityAsync("default");
        var signing = await node.GetOrCreatePurposeKeyAsync("default", Purpose.GroupSigning, TimeSpan.FromDays(30), TimeSpan.FromDays(10));
        var keyPackages = new KeyPackageStore(Path.Combine(home, "key-packages"), node.Vault, TimeProvider.System);
        var client = new RoomClient(node.Vault, service, identity, signing, new RoomStore(Path.Combine(home, "rooms"), node.Vault), keyPackages, TimeProvider.System);
        return (client, node, signing);
    }

    private CommitRoomResponse Committed(CommitRoomRequest commit)
    {
        LastWelcome = commit.Welcome ?? LastWelcome;
        return new CommitRoomResponse(true, Append(GroupDeliveryKind.Commit, commit.Commit), ReadOnlyMemory<byte>.Empty);
    }

    private EmptyResponse Sent(SendRoomRequest send)
    {
        Append(GroupDeliveryKind.Message, send.Message);
        return EmptyResponse.Instance;
    }

    private CatchUpRoomResponse Page(ulong after)
    {
        lock (log)
        {
            return new CatchUpRoomResponse([.. log.Where(e => e.Index > after)], More: false);
        }
    }
}
