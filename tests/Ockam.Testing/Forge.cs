using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Testing;

/// <summary>Builds changes by hand, as an attacker (or a buggy peer) would, bypassing <see cref="IdentityManager"/>.</summary>
internal static class Forge
{
    public static ChangeHistory History(IEnumerable<Change> changes) => new(changes);

    /// <summary>
    /// Appends a change to a fresh key, signed by that key and (if given) by <paramref name="previousSigner"/>,
    /// keeping every key in the vault.
    /// </summary>
    public static async Task<(ChangeHistory History, KeyHandle Key)> ChangeAsync(Actors actors, ChangeHistory history, KeyHandle? previousSigner, bool revoked = false)
    {
        var key = await actors.Vault.GenerateKeyAsync(KeyType.Ed25519, KeyPersistence.Ephemeral);
        var previous = history.Latest;
        var data = new ChangeData(ByteString.CopyFrom(ChangeHistory.ChangeHash(previous)), ByteString.CopyFrom(actors.Vault.GetPublicKey(key)), Timestamp.Truncate(actors.Now), Timestamp.Truncate(actors.Now) + TimeSpan.FromDays(365), revoked, RevokePurposeKeys: false);
        var encoded = data.Encode();
        var signed = SigningDomain.ToBeSigned(SigningDomain.Change, encoded);
        var change = new Change(encoded, data, actors.Vault.Sign(key, signed), previousSigner is null ? null : actors.Vault.Sign(previousSigner, signed));
        return (history.Append(change), key);
    }
}
