using System.Text;
using System.Text.RegularExpressions;
using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;

namespace Ockam.Grains.Authority;

/// <summary>
/// What any token may carry, whoever creates it. The <c>ockam.</c> names are the ones the gateway's policies
/// and the identity core give meaning to, so each must be well formed, and a name this authority does not
/// know is refused rather than granted blindly (a later version might give it a meaning).
/// </summary>
internal static partial class TokenAttributes
{
    public const string Role = "ockam.role";
    public const string Relay = "ockam.relay";

    /// <summary>Lets its holder create the topic it names (the gateway's <c>create-topic</c> policy).</summary>
    public const string Topic = "ockam.topic";

    /// <summary>The <c>ockam.relay</c> value that lets its holder claim any relay name.</summary>
    public const string AnyRelay = "*";

    /// <summary>The <c>ockam.topic</c> value that lets its holder create any topic.</summary>
    public const string AnyTopic = "*";

    private const string ReservedPrefix = "ockam.";

    /// <summary>The longest relay name the gateway accepts.</summary>
    private const int MaxRelayName = 200;

    /// <summary>The longest topic name the gateway accepts.</summary>
    private const int MaxTopicName = 120;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Why <paramref name="attributes"/> cannot be granted, or null if they can.</summary>
    public static string? Problem(IReadOnlyDictionary<string, byte[]> attributes)
    {
        // The credential limits (CredentialData checks them again when it signs): refused here, at creation,
        // rather than as a token that can never be redeemed.
        if (attributes.Count > CborLimits.MaxAttributes)
        {
            return $"a token grants at most {CborLimits.MaxAttributes} attributes";
        }

        foreach (var (name, value) in attributes)
        {
            if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) > CborLimits.MaxAttributeNameSize || value.Length > CborLimits.MaxAttributeValueSize)
            {
                return $"attribute '{name}': a name is 1 to {CborLimits.MaxAttributeNameSize} UTF-8 bytes, a value at most {CborLimits.MaxAttributeValueSize} bytes";
            }

            if (name.StartsWith(ReservedPrefix, StringComparison.Ordinal) && ReservedProblem(name, value) is { } problem)
            {
                return $"attribute '{name}': {problem}";
            }
        }

        return null;
    }

    /// <summary>The attribute as text, or null when it is absent or not UTF-8.</summary>
    public static string? Text(IReadOnlyDictionary<string, byte[]> attributes, string name) =>
        attributes.TryGetValue(name, out var value) ? Text(value) : null;

    private static string? Text(byte[] value)
    {
        try
        {
            return StrictUtf8.GetString(value);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static string? ReservedProblem(string name, byte[] value)
    {
        switch (name)
        {
            case Role:
                return Text(value) is { } role && RoleName().IsMatch(role) ? null : "a role is a short lowercase name (a-z, 0-9, '-', '_'; at most 32)";
            case Relay:
                // The gateway's own rule for relay names: "conn." names are its reply relays.
                return Text(value) is { Length: > 0 and <= MaxRelayName } relay && !relay.StartsWith("conn.", StringComparison.Ordinal)
                    ? null
                    : $"a relay is 1 to {MaxRelayName} characters not starting with 'conn.', or '{AnyRelay}'";
            case Topic:
                // A name the gateway accepts for a topic, or the wildcard ("*" is also a name: one only an admin grants).
                return Text(value) is { Length: > 0 and <= MaxTopicName }
                    ? null
                    : $"a topic is 1 to {MaxTopicName} characters, or '{AnyTopic}'";
            case Delegation.AttributeName:
                try
                {
                    Delegation.Decode(value);
                    return null;
                }
                catch (OckamDecodeException e)
                {
                    return $"not a delegation: {e.Message}";
                }

            default:
                return "unknown reserved attribute";
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleName();
}
