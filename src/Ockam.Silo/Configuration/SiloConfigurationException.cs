namespace Ockam.Silo.Configuration;

/// <summary>An option the silo cannot start with; its message says which and what is allowed, for the operator.</summary>
public sealed class SiloConfigurationException(string message) : Exception(message);
