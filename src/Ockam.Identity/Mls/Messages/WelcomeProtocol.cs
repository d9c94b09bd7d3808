using System.Security.Cryptography;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Mls;

/// <summary>
/// Adding members by Welcome (RFC 9420 §12.4.3.1): the committer encrypts the GroupInfo under the welcome key and
/// nonce, and seals each new member's GroupSecrets to its KeyPackage's init key with
/// <c>EncryptWithLabel(init_key, "Welcome", encrypted_group_info, group_secrets)</c> — the ciphertext of the
/// GroupInfo as context, so a GroupSecrets cannot be moved to another Welcome. The joiner undoes both.
/// </summary>
internal static class WelcomeProtocol
{
    /// <summary>The EncryptWithLabel label of a GroupSecrets.</summary>
    public const string Label = "Welcome";

    /// <summary>
    /// The committer's side: a Welcome of <paramref name="suite"/> carrying <paramref name="groupInfo"/> (already
    /// signed, see <see cref="GroupInfo.Sign"/>) to each of <paramref name="newMembers"/>, each with the path secret
    /// it shares with the committer, if any. The committer holds <paramref name="joinerSecret"/> as bytes because
    /// HPKE seals bytes; <paramref name="pskSecret"/> is psk_secret of <paramref name="psks"/>. Neither is consumed.
    /// The caller has validated the key packages (<see cref="KeyPackageValidation"/>) when it added them.
    /// </summary>
    public static async Task<Welcome> CreateAsync(
        IVault vault,
        CipherSuite suite,
        ReadOnlyMemory<byte> joinerSecret,
        KeyHandle pskSecret,
        IReadOnlyList<PreSharedKeyId> psks,
        GroupInfo groupInfo,
        IReadOnlyList<(KeyPackage KeyPackage, PathSecret? PathSecret)> newMembers,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(pskSecret);
        ArgumentNullException.ThrowIfNull(psks);
        ArgumentNullException.ThrowIfNull(groupInfo);
        ArgumentNullException.ThrowIfNull(newMembers);
        if (joinerSecret.Length != suite.Nh)
        {
            throw new ArgumentException($"a joiner secret is {suite.Nh} bytes", nameof(joinerSecret));
        }

        if (groupInfo.GroupContext.CipherSuite != suite.Id)
        {
            throw new ArgumentException($"the GroupInfo is of cipher suite 0x{groupInfo.GroupContext.CipherSuite:x4}, not 0x{suite.Id:x4}", nameof(groupInfo));
        }

        if (newMembers.Count == 0)
        {
            throw new ArgumentException("a Welcome welcomes at least one new member", nameof(newMembers));
        }

        if (newMembers.FirstOrDefault(m => m.KeyPackage.CipherSuite != suite.Id) is { KeyPackage: { } foreign })
        {
            throw new ArgumentException($"a key package is of cipher suite 0x{foreign.CipherSuite:x4}, not 0x{suite.Id:x4}", nameof(newMembers));
        }

        var encryptedGroupInfo = EncryptGroupInfo(vault, suite, joinerSecret.Span, pskSecret, groupInfo);
        var secrets = new List<EncryptedGroupSecrets>(newMembers.Count);
        foreach (var (keyPackage, pathSecret) in newMembers)
        {
            var plaintext = new GroupSecrets(joinerSecret, pathSecret, psks).Encode();
            try
            {
                var (kemOutput, ciphertext) = await LabeledEncryption.EncryptWithLabelAsync(
                    vault, suite, keyPackage.InitKey.ToArray(), Label, encryptedGroupInfo, plaintext, cancellationToken).ConfigureAwait(false);
                secrets.Add(new EncryptedGroupSecrets(keyPackage.ComputeRef(suite), new HpkeCiphertext(kemOutput, ciphertext)));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }

        return new Welcome(suite.Id, secrets, encryptedGroupInfo);
    }

    /// <summary>
    /// The joiner's side, with the <paramref name="keyPackage"/> it published and its init key's private half
    /// <paramref name="initKey"/> (not consumed; the caller deletes it once the join succeeds). The PSKs the
    /// GroupSecrets name are looked up with <paramref name="findPsk"/> (handles the caller keeps; null: not held),
    /// and the GroupInfo's signature is checked against <paramref name="signerKey"/>'s answer: the signature key of
    /// the GroupInfo's signer leaf, from the ratchet tree the caller has (in the GroupInfo's extensions or fetched).
    /// </summary>
    /// <exception cref="WelcomeNotForUsException">No GroupSecrets in the Welcome is for <paramref name="keyPackage"/>.</exception>
    /// <exception cref="MlsCryptoException">
    /// Another cipher suite; GroupSecrets or GroupInfo that do not decrypt; a PSK not held or two re-init/branch PSKs;
    /// a GroupInfo of another suite or whose signature does not verify.
    /// </exception>
    /// <exception cref="Encoding.OckamDecodeException">A decrypted GroupSecrets or GroupInfo is malformed.</exception>
    public static OpenedWelcome Open(
        IVault vault,
        Welcome welcome,
        KeyPackage keyPackage,
        KeyHandle initKey,
        Func<PreSharedKeyId, KeyHandle?> findPsk,
        Func<GroupInfo, ReadOnlyMemory<byte>> signerKey)
    {
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(welcome);
        ArgumentNullException.ThrowIfNull(keyPackage);
        ArgumentNullException.ThrowIfNull(initKey);
        ArgumentNullException.ThrowIfNull(findPsk);
        ArgumentNullException.ThrowIfNull(signerKey);
        if (welcome.CipherSuite != keyPackage.CipherSuite)
        {
            throw new MlsCryptoException($"the Welcome's cipher suite 0x{welcome.CipherSuite:x4} is not our key package's 0x{keyPackage.CipherSuite:x4}");
        }

        var suite = CipherSuite.FromId(welcome.CipherSuite);
        var ours = keyPackage.ComputeRef(suite);
        var entry = welcome.Secrets.FirstOrDefault(s => s.NewMember.Span.SequenceEqual(ours))
            ?? throw new WelcomeNotForUsException($"the Welcome holds no GroupSecrets for our key package {Convert.ToHexString(ours)}: it is not for us");

        var groupSecrets = DecryptGroupSecrets(vault, suite, initKey, entry.EncryptedGroupSecretsCiphertext, welcome.EncryptedGroupInfo.Span);
        var resumptionsOfAnotherGroup = groupSecrets.Psks.Count(p => p.PskType == PskType.Resumption && p.Usage is ResumptionPskUsage.Reinit or ResumptionPskUsage.Branch);
        if (resumptionsOfAnotherGroup > 1)
        {
            throw new MlsCryptoException($"the Welcome injects {resumptionsOfAnotherGroup} re-init or branch PSKs; at most one is allowed");
        }

        var psks = new List<(PreSharedKeyId, KeyHandle)>(groupSecrets.Psks.Count);
        foreach (var id in groupSecrets.Psks)
        {
            psks.Add((id, findPsk(id) ?? throw new MlsCryptoException($"the Welcome injects a {id.PskType} PSK that we do not hold")));
        }

        var joinerSecret = vault.ImportEphemeralKey(KeyType.Secret, groupSecrets.JoinerSecret.Span);
        KeyHandle? pskSecret = null;
        KeyHandle? pathSecret = null;
        try
        {
            pskSecret = PskSecret.Derive(vault, suite, psks);
            var groupInfo = DecryptGroupInfo(vault, suite, joinerSecret, pskSecret, welcome.EncryptedGroupInfo.Span);
            if (groupInfo.GroupContext.CipherSuite != suite.Id)
            {
                throw new MlsCryptoException($"the GroupInfo's cipher suite 0x{groupInfo.GroupContext.CipherSuite:x4} is not the Welcome's 0x{suite.Id:x4}");
            }

            groupInfo.VerifySignature(vault, signerKey(groupInfo).Span);
            if (groupSecrets.PathSecret is { } path)
            {
                pathSecret = vault.ImportEphemeralKey(KeyType.Secret, path.Secret.Span);
            }

            return new OpenedWelcome(vault, joinerSecret, pathSecret, groupSecrets.Psks, pskSecret, groupInfo);
        }
        catch
        {
            vault.DeleteEphemeralKey(joinerSecret);
            if (pskSecret is not null)
            {
                vault.DeleteEphemeralKey(pskSecret);
            }

            throw;
        }
    }

    // encrypted_group_info = AEAD.Seal(welcome_key, welcome_nonce, "", group_info).
    private static byte[] EncryptGroupInfo(IVault vault, CipherSuite suite, ReadOnlySpan<byte> joinerSecret, KeyHandle pskSecret, GroupInfo groupInfo)
    {
        var joiner = vault.ImportEphemeralKey(KeyType.Secret, joinerSecret);
        KeyAndNonce welcomeKey;
        try
        {
            welcomeKey = WelcomeKey.Derive(vault, suite, joiner, pskSecret);
        }
        finally
        {
            vault.DeleteEphemeralKey(joiner);
        }

        try
        {
            var plaintext = groupInfo.Encode();
            var ciphertext = new byte[plaintext.Length + Aead.TagSize];
            vault.Encrypt(welcomeKey.Key, welcomeKey.Nonce.Span, plaintext, [], ciphertext);
            return ciphertext;
        }
        finally
        {
            vault.DeleteEphemeralKey(welcomeKey.Key);
        }
    }

    private static GroupInfo DecryptGroupInfo(IVault vault, CipherSuite suite, KeyHandle joinerSecret, KeyHandle pskSecret, ReadOnlySpan<byte> encryptedGroupInfo)
    {
        if (encryptedGroupInfo.Length < Aead.TagSize)
        {
            throw new MlsCryptoException("the encrypted GroupInfo is shorter than an AEAD tag");
        }

        var welcomeKey = WelcomeKey.Derive(vault, suite, joinerSecret, pskSecret);
        try
        {
            var plaintext = new byte[encryptedGroupInfo.Length - Aead.TagSize];
            if (!vault.TryDecrypt(welcomeKey.Key, welcomeKey.Nonce.Span, encryptedGroupInfo, [], plaintext))
            {
                throw new MlsCryptoException("the encrypted GroupInfo does not authenticate under the welcome key");
            }

            return GroupInfo.Decode(plaintext);
        }
        finally
        {
            vault.DeleteEphemeralKey(welcomeKey.Key);
        }
    }

    // The plaintext holds the joiner and path secrets: it is zeroed once decoded, and the decoded copies are
    // checked for the suite's size and imported by the caller, who drops them.
    private static GroupSecrets DecryptGroupSecrets(IVault vault, CipherSuite suite, KeyHandle initKey, HpkeCiphertext sealedSecrets, ReadOnlySpan<byte> encryptedGroupInfo)
    {
        var plaintext = LabeledEncryption.DecryptWithLabel(vault, suite, initKey, Label, encryptedGroupInfo, sealedSecrets.KemOutput.Span, sealedSecrets.Ciphertext.Span);
        try
        {
            var groupSecrets = GroupSecrets.Decode(plaintext);
            if (groupSecrets.JoinerSecret.Length != suite.Nh || (groupSecrets.PathSecret is { } path && path.Secret.Length != suite.Nh))
            {
                throw new MlsCryptoException($"the GroupSecrets' joiner or path secret is not {suite.Nh} bytes");
            }

            return groupSecrets;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
