using System.Buffers.Text;
using System.Text;
using Ockam.Identity.Identities;

namespace Ockam.Messaging.Api;

/// <summary>
/// Everything a new node needs to enrol, in one string to hand over: the silo's address, the silo's
/// identifier (which the node pins) and a one-time token. Text form: <c>ockam-ticket-v1.</c> followed by
/// base64url of the three fields separated by newlines.
/// </summary>
public sealed record EnrollmentTicket(string Silo, Identifier SiloIdentifier, string Token)
{
    private const string Prefix = "ockam-ticket-v1.";

    public override string ToString() => Prefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Silo}\n{SiloIdentifier}\n{Token}"));

    /// <summary>Parses a ticket; false for anything else (a bare token, say).</summary>
    public static bool TryParse(string text, out EnrollmentTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(text);
        ticket = null!;
        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || text.Length > 2048)
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(bytes).Split('\n');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[2].Length == 0 || !Identifier.TryParse(parts[1], out var identifier))
        {
            return false;
        }

        ticket = new EnrollmentTicket(parts[0], identifier!, parts[2]);
        return true;
    }
}
