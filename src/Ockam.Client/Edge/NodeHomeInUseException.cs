namespace Ockam.Client.Edge;

/// <summary>Another process runs a node in this home: one home is one node, so a second may not run beside it.</summary>
public sealed class NodeHomeInUseException(string home)
    : Exception($"the node home '{home}' is in use by another process (stop it, e.g. a running 'ockam room listen', or use another --home)")
{
    public string Home { get; } = home;
}
