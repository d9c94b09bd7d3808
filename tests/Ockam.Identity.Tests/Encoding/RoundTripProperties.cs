using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ockam.Identity.Credentials;
using Ockam.Identity.Identities;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Encoding;

/// <summary>decode(encode(x)) is x (member by member, and by the structure's own equality), and encoding is deterministic, for every encoded structure.</summary>
public sealed class RoundTripProperties
{
    private const int Cases = 1000;

    [Property(MaxTest = Cases)]
    public Property Change_data() => RoundTrip(Generators.ChangeData(first: false), d => d.Encode(), b => ChangeData.Decode(b));

    [Property(MaxTest = Cases)]
    public Property First_change_data() => RoundTrip(Generators.ChangeData(first: true), d => d.Encode(), b => ChangeData.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Change_history() => RoundTrip(Generators.History, h => h.Encode(), b => ChangeHistory.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Purpose_key_attestation() => RoundTrip(Generators.Attestation, a => a.Encode(), b => PurposeKeyAttestation.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Credential_data() => RoundTrip(Generators.CredentialData, d => d.Encode(), b => CredentialData.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Credential_presentation() => RoundTrip(Generators.Presentation, p => p.Encode(), b => CredentialPresentation.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Revocation_list_data() => RoundTrip(Generators.RevocationListData, d => d.Encode(), b => RevocationListData.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Revocation_list() => RoundTrip(Generators.RevocationList, l => l.Encode(), b => RevocationList.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Delegation_attribute() => RoundTrip(
        Gen.Choose(0, 24).SelectMany(n => Gen.ListOf(Generators.AttributeName, n)).Select(names => (IReadOnlySet<string>)names.ToHashSet(StringComparer.Ordinal)),
        names => Delegation.Encode(names),
        b => Delegation.Decode(b),
        byOwnEquality: false);

    [Property(MaxTest = 200)]
    public Property Vault_file() => Prop.ForAll(
        Gen.ListOf(Generators.Bytes(32), 3).ToArbitrary(),
        secrets =>
        {
            var keys = secrets.Select((s, i) => KeyValuePair.Create($"k{i}", new KeyMaterial(KeyType.Ed25519, s, KeyPersistence.Persistent, SodiumCurve25519.Instance, new SecretMemory()))).ToList();
            var decoded = VaultFile.Decode(VaultFile.Encode(keys), SodiumCurve25519.Instance, new SecretMemory());
            var same = keys.All(k => decoded[k.Key].RetainedSecret.SequenceEqual(k.Value.RetainedSecret) && decoded[k.Key].Type == k.Value.Type);
            foreach (var k in keys.Select(k => k.Value).Concat(decoded.Values))
            {
                k.Dispose();
            }

            return same && decoded.Count == keys.Count;
        });

    /// <param name="byOwnEquality">False for a plain collection, whose own equality is by reference.</param>
    private static Property RoundTrip<T>(Gen<T> generator, Func<T, byte[]> encode, Func<byte[], T> decode, bool byOwnEquality = true) =>
        Prop.ForAll(generator.ToArbitrary(), value =>
        {
            var encoded = encode(value);
            var decoded = decode(encoded);
            Assert.Equivalent(value, decoded, strict: true);
            if (byOwnEquality)
            {
                Assert.True(EqualityComparer<T>.Default.Equals(value, decoded));
                Assert.Equal(value!.GetHashCode(), decoded!.GetHashCode());
            }

            Assert.Equal(encoded, encode(decoded));
        });
}
