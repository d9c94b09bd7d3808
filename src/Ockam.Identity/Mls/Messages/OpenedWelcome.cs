using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// What a joiner learns from a Welcome (RFC 9420 §12.4.3.1) once <see cref="WelcomeProtocol.Open"/> has decrypted its
/// GroupSecrets and its GroupInfo and checked the GroupInfo's signature: the secrets as vault handles that this object
/// owns until <see cref="Dispose"/>, and the GroupInfo. The group layer then checks the ratchet tree against the
/// GroupContext and calls <see cref="EnterEpoch"/>.
/// </summary>
internal sealed class OpenedWelcome : IDisposable
{
    private readonly IVault vault;
    private bool joinerSecretMoved;
    private bool disposed;

    internal OpenedWelcome(IVault vault, KeyHandle joinerSecret, KeyHandle? pathSecret, IReadOnlyList<PreSharedKeyId> psks, KeyHandle pskSecret, GroupInfo groupInfo)
    {
        this.vault = vault;
        JoinerSecret = joinerSecret;
        PathSecret = pathSecret;
        Psks = psks;
        PskSecret = pskSecret;
        GroupInfo = groupInfo;
    }

    /// <summary>joiner_secret.</summary>
    public KeyHandle JoinerSecret { get; }

    /// <summary>
    /// The path secret of the lowest node the joiner shares with the committer, or null when the Commit had no path.
    /// A consumer that takes it over (the tree's private state) deletes it; <see cref="Dispose"/> skips a deleted key.
    /// </summary>
    public KeyHandle? PathSecret { get; }

    /// <summary>The PSKs the epoch injects, in order.</summary>
    public IReadOnlyList<PreSharedKeyId> Psks { get; }

    /// <summary>psk_secret of <see cref="Psks"/> (§8.4).</summary>
    public KeyHandle PskSecret { get; }

    /// <summary>The GroupInfo, its signature verified.</summary>
    public GroupInfo GroupInfo { get; }

    /// <summary>
    /// The epoch's secrets from the joiner secret, the PSKs and the GroupContext (§8), its confirmation tag checked
    /// against the GroupContext's confirmed transcript hash: a joiner that derived another epoch than the committer,
    /// or a GroupInfo altered by someone who holds the welcome key, stops here. The joiner secret moves to the result.
    /// </summary>
    /// <exception cref="MlsCryptoException">The confirmation tag does not match.</exception>
    public EpochSecrets EnterEpoch()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (joinerSecretMoved)
        {
            throw new InvalidOperationException("the epoch was already entered");
        }

        joinerSecretMoved = true;
        var epoch = EpochSecrets.FromJoinerSecret(vault, JoinerSecret, PskSecret, GroupInfo.GroupContext);
        try
        {
            ConfirmationTag.Verify(vault, epoch.ConfirmationKey, GroupInfo.GroupContext.ConfirmedTranscriptHash, GroupInfo.ConfirmationTag.Span);
            return epoch;
        }
        catch
        {
            epoch.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        var owned = new List<KeyHandle> { PskSecret };
        if (!joinerSecretMoved)
        {
            owned.Add(JoinerSecret);
        }

        if (PathSecret is not null)
        {
            owned.Add(PathSecret);
        }

        foreach (var secret in owned.Where(vault.Contains))
        {
            vault.DeleteEphemeralKey(secret);
        }
    }
}
