using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;

namespace Ockam.Identity.Mls;

/// <summary>
/// The group's roles, a GroupContext extension of the private-use type <see cref="Type"/> (RFC 9420 §17.3: 0xF000 to
/// 0xFFFF are for private use): the Ockam identifiers whose leaves may change who is in the group and the group's
/// extensions (<see cref="RoleMembershipPolicy"/>). Being in the GroupContext, the roles are covered by the tree hash
/// chain and the confirmed transcript, so every member and the Delivery Service agree on them, and only a commit
/// (a GroupContextExtensions proposal by an admin) changes them.
/// <code>
/// opaque OckamIdentifier[32];
/// struct {
///     OckamIdentifier admins&lt;V&gt;;
/// } GroupRoles;
/// </code>
/// </summary>
internal sealed class GroupRoles
{
    /// <summary>The extension type, in the private-use range.</summary>
    public const ExtensionType Type = (ExtensionType)0xF0A0;

    /// <summary>Admins a group may name: enough for any room, and a bound on what a decoder reads.</summary>
    public const int MaxAdmins = 1024;

    private const int MaxBytes = MaxAdmins * Identifier.HashLength;

    private GroupRoles(IReadOnlyList<Identifier> admins) => Admins = admins;

    /// <summary>The admins, in the order the extension lists them; never empty, never repeated.</summary>
    public IReadOnlyList<Identifier> Admins { get; }

    /// <summary>Roles with <paramref name="admins"/>.</summary>
    /// <exception cref="ArgumentException">None, more than <see cref="MaxAdmins"/>, or one repeated.</exception>
    public static GroupRoles Of(IReadOnlyList<Identifier> admins)
    {
        ArgumentNullException.ThrowIfNull(admins);
        if (admins.Count is 0 or > MaxAdmins || admins.Distinct().Count() != admins.Count)
        {
            throw new ArgumentException($"a group has 1 to {MaxAdmins} distinct admins", nameof(admins));
        }

        return new GroupRoles([.. admins]);
    }

    /// <summary>The roles in <paramref name="extensions"/>, or null when they hold none (the group then has no admin).</summary>
    /// <exception cref="OckamDecodeException">The roles extension is malformed, repeated, empty or lists an admin twice.</exception>
    public static GroupRoles? Of(IReadOnlyList<Extension> extensions)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        var found = extensions.Where(e => e.ExtensionType == Type).Take(2).ToList();
        return found switch
        {
            [] => null,
            [var only] => Decode(only.ExtensionData.Span),
            _ => throw new OckamDecodeException("the group's extensions hold the roles extension twice"),
        };
    }

    /// <exception cref="OckamDecodeException">Malformed, truncated, over <see cref="MaxAdmins"/>, empty, or an admin listed twice.</exception>
    public static GroupRoles Decode(ReadOnlySpan<byte> encoded) => MlsReader.DecodeExact(encoded, Read);

    public bool IsAdmin(Identifier? identifier) => identifier is not null && Admins.Contains(identifier);

    /// <summary>Whether <paramref name="leaf"/>'s credential names an admin (<see cref="OckamCredentialAuthentication.IdentifierOf"/>).</summary>
    public bool IsAdmin(LeafNode leaf) => IsAdmin(OckamCredentialAuthentication.IdentifierOf(leaf));

    public Extension ToExtension() => new(Type, MlsWriter.Encode(Write));

    private void Write(MlsWriter writer) => writer.WriteVector(Admins, static (w, admin) => w.WriteFixed(admin.ToBytes()));

    private static GroupRoles Read(ref MlsReader reader)
    {
        var start = reader.Position;
        var admins = reader.ReadVector(MaxBytes, static (ref MlsReader r) => Identifier.FromHash(r.ReadFixed(Identifier.HashLength)));
        if (admins.Count == 0)
        {
            throw reader.Error(start, "the roles extension names no admin");
        }

        if (admins.Distinct().Count() != admins.Count)
        {
            throw reader.Error(start, "the roles extension names an admin twice");
        }

        return new GroupRoles(admins);
    }
}
