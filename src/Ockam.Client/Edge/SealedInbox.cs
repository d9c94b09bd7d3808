using Ockam.Identity.Encoding;
using Ockam.Identity.Mail;
using Ockam.Messaging.Routing;

namespace Ockam.Client.Edge;

/// <summary>
/// Receives sealed mail that a relay delivers to <see cref="Address"/>: opens it with the node's vault (the agreement
/// key never leaves it), refuses what is not authentic, not for this node, or taken already, and hands the plaintext
/// to the application inbox, where live messages go. Only relayed messages reach it (its flow is the relay inbox's).
/// </summary>
/// <remarks>
/// The message is recorded as taken (on disk) before it is handed on: a process killed in between loses that one
/// message rather than showing it twice. What is refused is dropped; the relay has let it go.
/// </remarks>
internal sealed class SealedInbox(MailOpener opener, MailReplayGuard seen, InboxWorker inbox, TimeProvider time) : IWorker
{
    public const string Address = "sealed-inbox";

    public async ValueTask HandleMessageAsync(WorkerContext context, Message message, CancellationToken cancellationToken)
    {
        OpenedMail opened;
        try
        {
            opened = await opener.OpenAsync(SealedMail.Decode(message.Payload), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            await seen.AcceptAsync(opened.Sender.Identifier, opened.Counter, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OckamDecodeException or SealedMailException)
        {
            return;
        }

        await inbox.DeliverAsync(new Received(opened.Sender.Identifier, opened.Credentials, opened.Plaintext, Sealed: true), cancellationToken).ConfigureAwait(false);
    }
}
