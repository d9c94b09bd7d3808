using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;

namespace Ockam.Identity.Mail;

/// <summary>A sealed message that opened: its verified sender, the credentials that verified, where it came through, and its plaintext.</summary>
public sealed class OpenedMail(VerifiedIdentity sender, IReadOnlyList<VerifiedCredential> credentials, string relay, ulong counter, byte[] plaintext)
{
    public VerifiedIdentity Sender { get; } = sender;

    public IReadOnlyList<VerifiedCredential> Credentials { get; } = credentials;

    public string Relay { get; } = relay;

    public ulong Counter { get; } = counter;

    public byte[] Plaintext { get; } = plaintext;
}
