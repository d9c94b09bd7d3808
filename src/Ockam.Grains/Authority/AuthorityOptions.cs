namespace Ockam.Grains.Authority;

/// <summary>How long what an authority signs stays valid.</summary>
public sealed record AuthorityOptions
{
    /// <summary>Credentials are short-lived: with the revocation list this bounds a stolen credential's use.</summary>
    public TimeSpan CredentialLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>A revocation list's validity; it is re-signed (next sequence) when half of it has passed.</summary>
    public TimeSpan RevocationListValidity { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The longest a token may be valid.</summary>
    public TimeSpan MaxTokenLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The most distinct identities one token may enrol: a token is a bearer secret, so its reach is bounded.</summary>
    public int MaxTokenUses { get; init; } = 10_000;

    /// <summary>
    /// Credentials one member may be issued within one <see cref="CredentialLifetime"/>: a member asking without end
    /// would otherwise grow the revocation list past what verifiers accept once it is suspended.
    /// </summary>
    public int MaxCredentialsPerLifetime { get; init; } = 16;
}
