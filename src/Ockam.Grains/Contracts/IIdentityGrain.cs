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

    /// <summary>
    /// Stores MLS KeyPackages of this identity, each checked first: a valid KeyPackage now, whose credential names this
    /// identity and whose signature key is its published, verified GroupSigning key. At most
    /// <c>IdentityGrain.MaxKeyPackages</c> are held; duplicates are ignored. None given: only the count.
    /// </summary>
    [Alias("publish-key-packages")]
    Task<KeyPackagePublication> PublishKeyPackagesAsync(byte[][] keyPackages);

    /// <summary>
    /// Enrolment's publications in one write: the history (as <see cref="PublishAsync"/> takes it), the group key
    /// attestations (checked against that history, as <see cref="PublishGroupKeysAsync"/> does) and KeyPackages signed by
    /// that GroupSigning key (checked as <see cref="PublishKeyPackagesAsync"/> does). All or nothing: a non-null refusal
    /// means nothing was stored (but a forking history still marks the identity compromised).
    /// </summary>
    [Alias("publish-member-keys")]
    Task<KeyPackagePublication> PublishMemberKeysAsync(byte[] history, byte[] agreementAttestation, byte[] signingAttestation, byte[][] keyPackages);

    /// <summary>
    /// Hands <paramref name="claimer"/> the oldest valid KeyPackage and deletes it (persisted before the answer), since
    /// its init key opens one Welcome only (RFC 9420 §16.8); claims per claimer are bounded, so one member cannot drain
    /// another's packages at will.
    /// </summary>
    [Alias("claim-key-package")]
    Task<KeyPackageClaim> ClaimKeyPackageAsync(string claimer);
}
