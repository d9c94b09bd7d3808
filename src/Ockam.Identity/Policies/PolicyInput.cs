using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Identity.Policies;

/// <summary>
/// The facts a policy sees: the subject's attributes, taken only from verified credentials (plus
/// <c>subject.identifier</c>), and resource and action attributes supplied by the enforcing service.
/// </summary>
public sealed class PolicyInput
{
    private readonly Dictionary<string, string?> subject;
    private readonly Dictionary<string, string> resource;
    private readonly Dictionary<string, string> action;

    private PolicyInput(Dictionary<string, string?> subject, Dictionary<string, string> resource, Dictionary<string, string> action)
    {
        this.subject = subject;
        this.resource = resource;
        this.action = action;
    }

    /// <summary>
    /// Builds the subject's facts from its verified credentials. An attribute that two credentials give
    /// different values, or that is not UTF-8, is unknown: policies that read it do not allow.
    /// </summary>
    public static PolicyInput ForSubject(Identifier identifier, IEnumerable<VerifiedCredential> credentials)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentNullException.ThrowIfNull(credentials);
        var attributes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var credential in credentials)
        {
            if (credential.Subject != identifier)
            {
                throw new ArgumentException($"a credential about {credential.Subject} says nothing about {identifier}", nameof(credentials));
            }

            foreach (var (name, bytes) in credential.Attributes)
            {
                var value = Utf8.TryDecode(bytes);
                attributes[name] = attributes.TryGetValue(name, out var existing) && existing != value ? null : value;
            }
        }

        attributes["identifier"] = identifier.Value;
        return new PolicyInput(attributes, new(StringComparer.Ordinal), new(StringComparer.Ordinal));
    }

    /// <summary>
    /// Builds the subject's facts from what its authority records of it now (a service that keeps the records
    /// decides on the present, not on a credential shown earlier), plus <c>subject.identifier</c> and, for a
    /// member, <c>subject.ockam.member = "true"</c>. An attribute that is not UTF-8 is unknown.
    /// </summary>
    public static PolicyInput ForMember(Identifier identifier, bool member, IReadOnlyDictionary<string, byte[]> attributes)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        ArgumentNullException.ThrowIfNull(attributes);
        var facts = attributes.ToDictionary(a => a.Key, a => Utf8.TryDecode(a.Value), StringComparer.Ordinal);
        facts.Remove(MemberAttribute);
        if (member)
        {
            facts[MemberAttribute] = "true";
        }

        facts["identifier"] = identifier.Value;
        return new PolicyInput(facts, new(StringComparer.Ordinal), new(StringComparer.Ordinal));
    }

    /// <summary>Set by <see cref="ForMember"/> for members in good standing; no credential can carry it.</summary>
    public const string MemberAttribute = "ockam.member";

    public PolicyInput WithResource(string name, string value) =>
        new(subject, new(resource, StringComparer.Ordinal) { [name] = value }, action);

    public PolicyInput WithAction(string name, string value) =>
        new(subject, resource, new(action, StringComparer.Ordinal) { [name] = value });

    internal bool Exists(AttributeScope scope, string name) => scope switch
    {
        AttributeScope.Subject => subject.ContainsKey(name),
        AttributeScope.Resource => resource.ContainsKey(name),
        _ => action.ContainsKey(name),
    };

    /// <summary>The attribute's text, or null when it is absent or unknown.</summary>
    internal string? Get(AttributeScope scope, string name) => scope switch
    {
        AttributeScope.Subject => subject.GetValueOrDefault(name),
        AttributeScope.Resource => resource.GetValueOrDefault(name),
        _ => action.GetValueOrDefault(name),
    };
}
