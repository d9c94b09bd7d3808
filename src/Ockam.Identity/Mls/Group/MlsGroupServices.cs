using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// What a group relies on outside itself: the vault that holds its secrets, the Authentication Service, the
/// membership policy, the clock key package lifetimes are checked against, and the external PSKs its owner holds.
/// </summary>
internal sealed class MlsGroupServices
{
    public MlsGroupServices(
        IVault vault,
        IMlsAuthenticationService authentication,
        IMembershipPolicy? membership = null,
        TimeProvider? time = null,
        Func<PreSharedKeyId, KeyHandle?>? externalPsks = null)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(authentication);
        Vault = vault;
        Authentication = authentication;
        Membership = membership ?? AllowAllMembershipPolicy.Instance;
        Time = time ?? TimeProvider.System;
        ExternalPsks = externalPsks ?? (_ => null);
    }

    public IVault Vault { get; }

    public IMlsAuthenticationService Authentication { get; }

    public IMembershipPolicy Membership { get; }

    public TimeProvider Time { get; }

    /// <summary>The external PSK of an id (a handle its owner keeps), or null when not held.</summary>
    public Func<PreSharedKeyId, KeyHandle?> ExternalPsks { get; }
}
