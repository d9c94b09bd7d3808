namespace Ockam.Identity.Mail;

/// <summary>A sealed message refused by its recipient, with the check it failed.</summary>
public sealed class SealedMailException(SealedMailError error, string message, Exception? innerException = null) : Exception(message, innerException)
{
    public SealedMailError Error { get; } = error;
}
