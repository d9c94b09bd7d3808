namespace Ockam.Client.Edge;

/// <summary>A relay as the silo reports it: who owns it (an identifier) and whether the owner listens now.</summary>
public sealed record RelayInfo(string Relay, string Owner, bool Online);
