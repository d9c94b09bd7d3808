using System.Buffers.Binary;
using System.Security.Cryptography;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Groups;

/// <summary>
/// One member's view of an encrypted group (a room or a topic): the current epoch's members and secret,
/// its own sending ratchet and the ratchets of the others. The service that orders commits and fans out
/// messages sees only commits (sealed secrets, public keys) and ciphertext.
/// </summary>
public sealed class GroupSession : IDisposable
{
    /// <summary>The HPKE suite that seals each member's epoch secret: AES-256-GCM, as rooms always have.</summary>
    private static readonly Hpke.HpkeSuite PackageSuite = Hpke.HpkeSuite.X25519Sha256Aes256Gcm;

    private readonly IVault vault;
    private readonly GroupMember self;
    private readonly KeyHandle agreementKey;
    private readonly KeyHandle signingKey;
    private readonly Dictionary<Identifier, SenderChain> receiving = [];
    private KeyHandle? epochSecret;
    private SenderChain? sending;

    private GroupSession(IVault vault, string group, GroupMember self, KeyHandle agreementKey, KeyHandle signingKey)
    {
        this.vault = vault;
        Group = group;
        this.self = self;
        this.agreementKey = agreementKey;
        this.signingKey = signingKey;
    }

    public string Group { get; }

    public ulong Epoch { get; private set; }

    public IReadOnlyList<GroupMember> Members { get; private set; } = [];

    /// <summary>Starts a group with <paramref name="self"/> as its only member, and returns the first commit (epoch 1).</summary>
    public static (GroupSession Session, GroupCommit Commit) Create(IVault vault, string group, GroupMember self, KeyHandle agreementKey, KeyHandle signingKey)
    {
        ArgumentNullException.ThrowIfNull(self);
        var session = new GroupSession(vault, group, self, agreementKey, signingKey);
        return (session, session.Commit([self]));
    }

    /// <summary>Joins from a commit that seals the epoch secret to <paramref name="self"/>.</summary>
    /// <exception cref="GroupException">The commit does not verify or holds nothing for this member.</exception>
    public static GroupSession Join(IVault vault, GroupCommit commit, GroupMember self, KeyHandle agreementKey, KeyHandle signingKey)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var session = new GroupSession(vault, commit.Body.Group, self, agreementKey, signingKey);
        session.Enter(commit, verifyAgainst: commit.Body.Members);
        return session;
    }

    /// <summary>
    /// Starts the next epoch with <paramref name="members"/> (add, remove, or the same list to refresh keys):
    /// a fresh random secret, sealed to each member and to no one else. Applies it locally.
    /// </summary>
    public GroupCommit Commit(IReadOnlyList<GroupMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (!members.Any(m => m.Identifier == self.Identifier))
        {
            throw new ArgumentException("the committer stays a member of the epoch it makes", nameof(members));
        }

        var epoch = Epoch + 1;
        var secret = GC.AllocateUninitializedArray<byte>(32, pinned: true);
        try
        {
            // Fresh, not derived from the last epoch: a leaked old secret says nothing about this one.
            RandomNumberGenerator.Fill(secret);
            var packages = members.Select(m => Seal(m, epoch, secret)).ToList();
            var body = GroupCommit.EncodeBody(new GroupCommitBody(Group, epoch, self.Identifier, members, packages));
            var commit = new GroupCommit(body, vault.Sign(signingKey, SigningDomain.ToBeSigned(SigningDomain.GroupCommit, body)));
            StartEpoch(epoch, members, vault.ImportEphemeralKey(KeyType.Secret, secret));
            return commit;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Moves to the epoch <paramref name="commit"/> starts (made by another member of the current epoch).</summary>
    /// <exception cref="GroupException">Not the next epoch, not by a member, a bad signature, or this member was removed.</exception>
    public void Apply(GroupCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        if (commit.Body.Epoch != Epoch + 1)
        {
            throw new GroupException(commit.Body.Epoch <= Epoch ? GroupError.StaleEpoch : GroupError.FutureEpoch, $"commit for epoch {commit.Body.Epoch}, this member is at {Epoch}");
        }

        Enter(commit, verifyAgainst: Members);
    }

    /// <summary>The generation this member's next message will carry in the current epoch.</summary>
    public ulong NextGeneration => sending?.Next ?? 0;

    /// <summary>
    /// Moves this member's sending ratchet on to <paramref name="generation"/> (a process that resumes a
    /// session must never send a generation twice: same key, same nonce). Never moves back.
    /// </summary>
    public void ResumeSendingAt(ulong generation)
    {
        var chain = sending ?? throw new InvalidOperationException("no epoch yet");
        while (chain.Next < generation)
        {
            vault.DeleteEphemeralKey(chain.Advance().Key);
        }
    }

    /// <summary>Encrypts and signs a message for the current epoch.</summary>
    public GroupMessage Encrypt(ReadOnlySpan<byte> plaintext)
    {
        var chain = sending ?? throw new InvalidOperationException("no epoch yet");
        var (generation, key) = chain.Advance();
        try
        {
            var header = GroupMessage.Header(Group, Epoch, self.Identifier, generation);
            var ciphertext = new byte[plaintext.Length + Aead.TagSize];
            vault.Encrypt(key, Nonce(generation), plaintext, header, ciphertext);
            var unsigned = new GroupMessage(Group, Epoch, self.Identifier, generation, ciphertext, new byte[64]);
            return unsigned with { Signature = vault.Sign(signingKey, SigningDomain.ToBeSigned(SigningDomain.GroupMessage, unsigned.SignedData())) };
        }
        finally
        {
            vault.DeleteEphemeralKey(key);
        }
    }

    /// <summary>Verifies and decrypts a message of the current epoch, each (sender, generation) once.</summary>
    /// <exception cref="GroupException">Why it was refused.</exception>
    public byte[] Decrypt(GroupMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Group != Group)
        {
            throw new GroupException(GroupError.WrongGroup, $"a message for group {message.Group}");
        }

        if (message.Epoch != Epoch)
        {
            throw new GroupException(message.Epoch < Epoch ? GroupError.StaleEpoch : GroupError.FutureEpoch, $"a message of epoch {message.Epoch}; this member is at {Epoch}");
        }

        var sender = Members.FirstOrDefault(m => m.Identifier == message.Sender)
            ?? throw new GroupException(GroupError.NotAMember, $"{message.Sender} is not a member of epoch {Epoch}");

        // The signature first: only the real sender can move its own ratchet.
        if (!message.IsSignedBy(vault, sender.SigningKey))
        {
            throw new GroupException(GroupError.BadSignature, $"the message is not signed by {message.Sender}");
        }

        if (!receiving.TryGetValue(sender.Identifier, out var chain))
        {
            chain = new SenderChain(vault, epochSecret!, Group, Epoch, sender.Identifier.ToString());
            receiving[sender.Identifier] = chain;
        }

        var key = chain.KeyFor(message.Generation);
        try
        {
            var plaintext = new byte[message.Ciphertext.Length - Aead.TagSize];
            return vault.TryDecrypt(key, Nonce(message.Generation), message.Ciphertext, GroupMessage.Header(Group, Epoch, message.Sender, message.Generation), plaintext)
                ? plaintext
                : throw new GroupException(GroupError.DecryptionFailed, "the message does not authenticate");
        }
        finally
        {
            vault.DeleteEphemeralKey(key);
        }
    }

    /// <summary>Test hook: the epoch secret's bytes, to play an attacker who stole it.</summary>
    internal byte[] ExportEpochSecret() => vault is SoftwareVault software ? software.ExportSecret(epochSecret!) : throw new NotSupportedException();

    /// <summary>Test hook: a session that holds <paramref name="secret"/> as the epoch secret of <paramref name="epoch"/>.</summary>
    internal static GroupSession FromStolenSecret(IVault vault, string group, ulong epoch, IReadOnlyList<GroupMember> members, byte[] secret, GroupMember self, KeyHandle agreement, KeyHandle signing)
    {
        var session = new GroupSession(vault, group, self, agreement, signing);
        session.StartEpoch(epoch, members, vault.ImportEphemeralKey(KeyType.Secret, secret));
        return session;
    }

    public void Dispose() => EndEpoch();

    private void Enter(GroupCommit commit, IReadOnlyList<GroupMember> verifyAgainst)
    {
        var body = commit.Body;
        if (body.Group != Group)
        {
            throw new GroupException(GroupError.WrongGroup, $"a commit for group {body.Group}");
        }

        var committer = verifyAgainst.FirstOrDefault(m => m.Identifier == body.Committer)
            ?? throw new GroupException(GroupError.NotAMember, $"{body.Committer} is not a member and cannot commit");
        if (!commit.IsSignedBy(vault, committer.SigningKey))
        {
            throw new GroupException(GroupError.BadSignature, $"the commit is not signed by {body.Committer}");
        }

        var package = body.Packages.FirstOrDefault(p => p.Member == self.Identifier)
            ?? throw new GroupException(GroupError.Removed, $"epoch {body.Epoch} holds no secret for {self.Identifier}");
        byte[] secret;
        try
        {
            secret = Hpke.Hpke.Open(vault, PackageSuite, agreementKey, package.Enc, PackageInfo(body.Epoch, self.Identifier), [], package.SealedSecret);
        }
        catch (Hpke.HpkeException e)
        {
            throw new GroupException(GroupError.DecryptionFailed, "the sealed epoch secret does not open", e);
        }

        try
        {
            StartEpoch(body.Epoch, body.Members, vault.ImportEphemeralKey(KeyType.Secret, secret));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private GroupPackage Seal(GroupMember member, ulong epoch, byte[] secret)
    {
        var ephemeral = vault.ImportEphemeralKey(KeyType.X25519, RandomNumberGenerator.GetBytes(32));
        try
        {
            var (context, enc) = Hpke.Hpke.SetupSender(vault, PackageSuite, member.AgreementKey, PackageInfo(epoch, member.Identifier), ephemeral);
            using (context)
            {
                return new GroupPackage(member.Identifier, enc, context.Seal([], secret));
            }
        }
        finally
        {
            vault.DeleteEphemeralKey(ephemeral);
        }
    }

    /// <summary>HPKE info binding a sealed secret to its group, epoch and member.</summary>
    private byte[] PackageInfo(ulong epoch, Identifier member) => System.Text.Encoding.UTF8.GetBytes($"ockam.group.epoch\n{Group}\n{epoch}\n{member}");

    private void StartEpoch(ulong epoch, IReadOnlyList<GroupMember> members, KeyHandle secret)
    {
        EndEpoch();
        Epoch = epoch;
        Members = members;
        epochSecret = secret;
        sending = new SenderChain(vault, secret, Group, epoch, self.Identifier.ToString());
    }

    private void EndEpoch()
    {
        sending?.Dispose();
        sending = null;
        foreach (var chain in receiving.Values)
        {
            chain.Dispose();
        }

        receiving.Clear();
        if (epochSecret is not null)
        {
            vault.DeleteEphemeralKey(epochSecret);
            epochSecret = null;
        }
    }

    private static byte[] Nonce(ulong generation)
    {
        var nonce = new byte[Aead.NonceSize];
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), generation);
        return nonce;
    }
}
