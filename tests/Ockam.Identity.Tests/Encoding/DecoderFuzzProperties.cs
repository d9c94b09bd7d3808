using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ockam.Identity.Credentials;
using Ockam.Identity.Encoding;
using Ockam.Identity.Identities;
using Ockam.Identity.Policies;
using Ockam.Identity.Vault;

namespace Ockam.Identity.Tests.Encoding;

/// <summary>
/// Every decoder, given random or mutated bytes, returns a value or throws <see cref="OckamDecodeException"/>:
/// never another exception, a hang or an unbounded allocation.
/// </summary>
public sealed class DecoderFuzzProperties
{
    private const int Cases = 10_000;

    // Built once per test: FsCheck.Xunit invokes a Property-returning method once per case.
    private readonly List<byte[]> changeData = Samples(Generators.ChangeData(false), d => d.Encode());
    private readonly List<byte[]> histories = Samples(Generators.History, h => h.Encode());
    private readonly List<byte[]> attestations = Samples(Generators.Attestation, a => a.Encode());
    private readonly List<byte[]> credentialData = Samples(Generators.CredentialData, d => d.Encode());
    private readonly List<byte[]> presentations = Samples(Generators.Presentation, p => p.Encode());
    private readonly List<byte[]> revocationListData = Samples(Generators.RevocationListData, d => d.Encode());
    private readonly List<byte[]> revocationLists = Samples(Generators.RevocationList, l => l.Encode());
    private readonly List<byte[]> sealedMail = Samples(Generators.History, h => new Ockam.Identity.Mail.SealedMail(h.Encode(), [1, 2], [[3]], Identifier.FromHash(new byte[32]), new byte[32], "phone", 7, new byte[32], new byte[40]).Encode());
    [Property(MaxTest = Cases)]
    public Property Change_data() => Fuzz(changeData, b => ChangeData.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Change_history() => Fuzz(histories, b => ChangeHistory.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Purpose_key_attestation() => Fuzz(attestations, b => PurposeKeyAttestation.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Credential_data() => Fuzz(credentialData, b => CredentialData.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Credential_presentation() => Fuzz(presentations, b => CredentialPresentation.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Revocation_list_data() => Fuzz(revocationListData, b => RevocationListData.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Revocation_list() => Fuzz(revocationLists, b => RevocationList.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Sealed_mail() => Fuzz(sealedMail, b => Ockam.Identity.Mail.SealedMail.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Delegation_attribute() => Fuzz([Delegation.Encode(["a", "ockam.role", "floor"])], b => Delegation.Decode(b));

    [Property(MaxTest = Cases)]
    public Property Vault_file()
    {
        using var key = new KeyMaterial(KeyType.X25519, new byte[32], KeyPersistence.Persistent, SodiumCurve25519.Instance, new SecretMemory());
        return Fuzz([VaultFile.Encode([KeyValuePair.Create("id", key)])], b =>
        {
            foreach (var k in VaultFile.Decode(b, SodiumCurve25519.Instance, new SecretMemory()).Values)
            {
                k.Dispose();
            }
        });
    }

    [Property(MaxTest = Cases)]
    public Property Policy_text() => Prop.ForAll(
        Generators.Hostile([.. PolicySamples.Select(System.Text.Encoding.UTF8.GetBytes)]).Select(System.Text.Encoding.UTF8.GetString).ToArbitrary(),
        text =>
        {
            try
            {
                Policy.Parse(text);
            }
            catch (PolicyParseException)
            {
            }
        });

    private static readonly string[] PolicySamples =
    [
        """(and (= subject.ockam.role "sensor") (in resource.topic ["heart-rate" "spo2"]))""",
        "(or (not (exists? subject.banned)) (>= subject.level 3))",
    ];

    private static List<byte[]> Samples<T>(Gen<T> generator, Func<T, byte[]> encode) =>
        [.. generator.Sample(8, 5).Select(encode)];

    private static Property Fuzz(IReadOnlyList<byte[]> samples, Action<byte[]> decode) =>
        Prop.ForAll(Generators.Hostile(samples).ToArbitrary(), bytes =>
        {
            try
            {
                decode(bytes);
            }
            catch (OckamDecodeException)
            {
            }
        });
}
