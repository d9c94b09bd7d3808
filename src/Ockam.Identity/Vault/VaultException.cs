namespace Ockam.Identity.Vault;

/// <summary>A vault refused an operation: unknown key, wrong key type, bad input, or an unusable key file.</summary>
public sealed class VaultException : Exception
{
    public VaultException(string message)
        : base(message)
    {
    }

    public VaultException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
