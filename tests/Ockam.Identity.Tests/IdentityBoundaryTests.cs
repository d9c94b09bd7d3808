using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests;

/// <summary>
/// What the identity assembly lets out: no production assembly but the two MLS users reads its internals, and no member
/// hands out a secret by name (the export hooks and stolen-secret constructors that once let tests, and anything that
/// could reach them, take a vault's or a group's secrets).
/// </summary>
public sealed partial class IdentityBoundaryTests
{
    private const BindingFlags Everything =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Assembly Identity = typeof(SoftwareVault).Assembly;

    [Fact]
    public void Only_tests_tools_and_the_two_mls_users_see_the_internals()
    {
        var friends = Identity.GetCustomAttributes<InternalsVisibleToAttribute>()
            .Select(a => a.AssemblyName.Split(',')[0].Trim())
            .ToList();
        Assert.Contains("Ockam.Identity.Tests", friends);

        // Ockam.Testing is the test projects' shared helpers. Ockam.Messaging and everything above it use the public API only. The grains and the edge-node library (Ockam.Client) are
        // MLS's Delivery Service and client and use its internal wire types (see Ockam.Identity.csproj).
        var production = friends
            .Where(f => !f.EndsWith(".Tests", StringComparison.Ordinal) && f is not ("Ockam.Testing" or "Ockam.Bench" or "Ockam.Fuzz"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(["Ockam.Client", "Ockam.Grains"], production);
    }

    [Fact]
    public void No_member_exports_a_secret_or_takes_a_stolen_one()
    {
        // Internal members count too: an internal hook is one InternalsVisibleTo away from any production assembly.
        var found = Members().Where(m => IsSecretHook(m.Member)).Select(m => $"{m.Type.FullName}.{m.Member.Name}");
        Assert.Empty(found);
    }

    [Fact]
    public void No_public_member_hands_out_a_secret_as_bytes()
    {
        // Secrets leave the public surface as key handles (an epoch's exporter secret, a DH result), never as bytes.
        // HPKE's Export is a protocol output (RFC 9180 §5.3) handed to the caller by definition, and is not named a secret.
        var found = Members()
            .Where(m => m.Type.IsVisible && IsPublic(m.Member) && SecretName().IsMatch(m.Member.Name) && HandsOutBytes(m.Member))
            .Select(m => $"{m.Type.FullName}.{m.Member.Name}");
        Assert.Empty(found);
        Assert.False(typeof(KeyMaterial).IsVisible, "the vault's key material type is public");
    }

    [Theory]
    [InlineData(nameof(Hooks.ExportSecret), true)]
    [InlineData(nameof(Hooks.ExportEpochSecret), true)]
    [InlineData(nameof(Hooks.FromStolenSecret), true)]
    [InlineData(nameof(Hooks.ExporterSecret), false)]
    public void The_rule_sees_the_hooks_it_was_written_for(string name, bool hook)
    {
        // The shapes once in SoftwareVault and GroupSession, and a handle-valued exporter secret that is no hook.
        var member = typeof(Hooks).GetMethod(name, Everything)!;
        Assert.Equal(hook, IsSecretHook(member));
    }

    /// <summary>A member named as an export of secret bytes, or anything built from a stolen secret.</summary>
    private static bool IsSecretHook(MemberInfo member) =>
        StolenName().IsMatch(member.Name) || (ExportSecretName().IsMatch(member.Name) && HandsOutBytes(member));

    private static IEnumerable<(Type Type, MemberInfo Member)> Members() =>
        from type in Identity.GetTypes()
        where !type.IsDefined(typeof(CompilerGeneratedAttribute))
        from member in type.GetMembers(Everything)
        where !member.IsDefined(typeof(CompilerGeneratedAttribute)) && !member.Name.Contains('<', StringComparison.Ordinal)
        select (type, member);

    private static bool IsPublic(MemberInfo member) => member switch
    {
        MethodBase method => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
        PropertyInfo property => property.GetMethod is { } getter && IsPublic(getter),
        FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
        _ => false,
    };

    /// <summary>Whether the member's value, or an out parameter, carries bytes (arrays, memory, spans, lists of them).</summary>
    private static bool HandsOutBytes(MemberInfo member) => member switch
    {
        MethodInfo method => CarriesBytes(method.ReturnType) || method.GetParameters().Any(p => p.IsOut && CarriesBytes(p.ParameterType)),
        PropertyInfo property => CarriesBytes(property.PropertyType),
        FieldInfo field => CarriesBytes(field.FieldType),
        _ => false,
    };

    private static bool CarriesBytes(Type type) =>
        type == typeof(byte)
        || (type.HasElementType && CarriesBytes(type.GetElementType()!))
        || (type.IsGenericType && type.GetGenericArguments().Any(CarriesBytes));

    [GeneratedRegex("^Export.*Secret", RegexOptions.IgnoreCase)]
    private static partial Regex ExportSecretName();

    [GeneratedRegex("Stolen", RegexOptions.IgnoreCase)]
    private static partial Regex StolenName();

    [GeneratedRegex("Secret", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    private static class Hooks
    {
        internal static byte[] ExportSecret() => [];

        internal static ReadOnlyMemory<byte> ExportEpochSecret() => ReadOnlyMemory<byte>.Empty;

        internal static KeyHandle ExporterSecret() => new("exporter", KeyType.Secret);

        internal static object FromStolenSecret() => new();
    }
}
