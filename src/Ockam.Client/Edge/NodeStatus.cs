using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Messaging.Api;
using Ockam.Messaging.Nodes;

namespace Ockam.Client.Edge;

/// <summary>
/// What a node home holds, read from its files without taking its lock, so that it can be read while the node runs:
/// the identity, the credential, the rooms and topics it has joined, and whether a process runs the node now.
/// </summary>
/// <param name="Home">The node's directory.</param>
/// <param name="Identity">The node's identity, or null before <c>ockam identity create</c>.</param>
/// <param name="Credential">The credential from enrolment, or null before enrolment (or if its file does not decode).</param>
/// <param name="Running">Whether another process holds the home's lock (runs the node).</param>
/// <param name="Groups">The rooms and topics this node has state for.</param>
/// <param name="Portals">The portals the running node serves (none when no process runs it).</param>
public sealed record NodeStatus(string Home, LocalIdentity? Identity, CredentialData? Credential, bool Running, IReadOnlyList<GroupId> Groups, IReadOnlyList<RunningPortal> Portals)
{
    /// <summary>
    /// The relay the credential lets this node own (its <c>ockam.relay</c> attribute), or null when it names none or
    /// any relay (<c>*</c>).
    /// </summary>
    public string? GrantedRelay => Credential?.GetText(EdgeNode.RelayAttribute) is { } relay and not "*" ? relay : null;

    /// <summary>Reads <paramref name="home"/>; a missing directory reads as an empty home.</summary>
    public static async Task<NodeStatus> ReadAsync(string home, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(home);
        if (!Directory.Exists(home))
        {
            return new NodeStatus(home, null, null, Running: false, [], []);
        }

        using var opened = await NodeHome.OpenAsync(home, time, cancellationToken).ConfigureAwait(false);
        if (!await opened.HasIdentityAsync(EdgeNode.IdentityName, cancellationToken).ConfigureAwait(false))
        {
            var running = IsRunning(home);
            return new NodeStatus(home, null, null, running, [], running ? RunningPortals.Read(home) : []);
        }

        var identity = await opened.GetOrCreateIdentityAsync(EdgeNode.IdentityName, cancellationToken).ConfigureAwait(false);
        var credential = EdgeNode.ReadCredential(home);
        var groups = await new RoomStore(EdgeNode.RoomsDirectory(home), opened.Vault).GroupsAsync(cancellationToken).ConfigureAwait(false);
        var isRunning = IsRunning(home);
        return new NodeStatus(home, identity, credential?.Credential.Data, isRunning, groups, isRunning ? RunningPortals.Read(home) : []);
    }

    private static bool IsRunning(string home)
    {
        try
        {
            NodeHomeLock.Acquire(home).Dispose();
            return false;
        }
        catch (NodeHomeInUseException)
        {
            return true;
        }
    }
}
