namespace Ockam.Identity.Identities;

/// <summary>The one job a purpose key is attested for.</summary>
public enum Purpose
{
    /// <summary>An X25519 key used as the Noise static key of secure channels.</summary>
    SecureChannelStatic = 1,

    /// <summary>An Ed25519 key that signs credentials and revocation lists.</summary>
    CredentialSigning = 2,

    /// <summary>An X25519 key that group epoch secrets are sealed to (HPKE).</summary>
    GroupKeyAgreement = 3,

    /// <summary>An Ed25519 key that signs group messages and commits.</summary>
    GroupSigning = 4,
}
