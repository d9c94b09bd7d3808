using Ockam.Grains.Contracts;
using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;

namespace Ockam.Grains.Authority;

/// <summary>
/// What a member may put in a token, decided on its current member record in the authority's state — never
/// on the credential its channel presented, which may predate a demotion, a suspension or a revocation.
/// </summary>
internal static class GrantScope
{
    public const string Admin = "admin";
    public const string Enroller = "enroller";

    /// <summary>Why <paramref name="creator"/> may not grant <paramref name="attributes"/>, or null if it may.</summary>
    /// <param name="creator">The creator's identifier.</param>
    /// <param name="member">Its row; null if it is no member.</param>
    /// <param name="attributes">What the token would grant, already checked by <see cref="TokenAttributes"/>.</param>
    public static string? Refusal(string creator, MemberRecord? member, IReadOnlyDictionary<string, byte[]> attributes)
    {
        if (member is null || member.Status == MemberStatus.Revoked)
        {
            return $"{creator} is not a member";
        }

        if (member.Status == MemberStatus.Suspended)
        {
            return $"{creator} is suspended";
        }

        switch (TokenAttributes.Text(member.Attributes, TokenAttributes.Role))
        {
            case Admin:
                return null;
            case Enroller:
                return EnrollerRefusal(creator, member, attributes);
            default:
                return $"{creator} is neither an admin nor an enroller";
        }
    }

    private static string? EnrollerRefusal(string creator, MemberRecord member, IReadOnlyDictionary<string, byte[]> attributes)
    {
        var delegated = Delegated(member);
        foreach (var (name, _) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            // Only an admin makes admins, enrollers, delegations or holders of every relay or every topic name:
            // an enroller that could would escalate itself through a newcomer of its own making.
            var adminOnly = name == Delegation.AttributeName
                || (name == TokenAttributes.Role && TokenAttributes.Text(attributes, name) is Admin or Enroller)
                || (name == TokenAttributes.Relay && TokenAttributes.Text(attributes, name) == TokenAttributes.AnyRelay)
                || (name == TokenAttributes.Topic && TokenAttributes.Text(attributes, name) == TokenAttributes.AnyTopic);
            if (adminOnly)
            {
                return name == Delegation.AttributeName
                    ? $"only an admin may grant {name}"
                    : $"only an admin may grant {name}={TokenAttributes.Text(attributes, name)}";
            }

            if (!delegated.Contains(name))
            {
                return $"{creator}'s delegation does not include attribute '{name}'";
            }
        }

        return null;
    }

    /// <summary>The names the identity core's delegation attribute lists; none without one (or with a malformed one).</summary>
    private static IReadOnlySet<string> Delegated(MemberRecord member)
    {
        if (!member.Attributes.TryGetValue(Delegation.AttributeName, out var delegation))
        {
            return new HashSet<string>();
        }

        try
        {
            return Delegation.Decode(delegation);
        }
        catch (OckamDecodeException)
        {
            return new HashSet<string>();
        }
    }
}
