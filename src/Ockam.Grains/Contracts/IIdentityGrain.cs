namespace Ockam.Grains.Contracts;

/// <summary>
/// The public change history of one identity (key: its identifier). Keeps the longest valid history,
/// refuses rollbacks, and marks the identity compromised when it sees a fork.
/// </summary>
[Alias("ockam.identity")]
public interface IIdentityGrain : IGrainWithStringKey
{
    /// <summary>Offers a (possibly newer) history; the grain keeps it if it extends the one it has.</summary>
    [Alias("publish")]
    Task<IdentityPublication> PublishAsync(byte[] history);

    /// <summary>The newest history known, or null for an identity never published.</summary>
    [Alias("history")]
    Task<byte[]?> GetHistoryAsync();

    [Alias("status")]
    Task<IdentityStatus> GetStatusAsync();

    /// <summary>Stores the identity's group key attestations after checking them against its history.</summary>
    [Alias("publish-group-keys")]
    Task<bool> PublishGroupKeysAsync(byte[] agreementAttestation, byte[] signingAttestation);

    /// <summary>The history and group key attestations, or nulls; callers verify them themselves.</summary>
    [Alias("group-keys")]
    Task<(byte[]? History, byte[]? Agreement, byte[]? Signing)> GetGroupKeysAsync();
}
