namespace Ockam.Identity.Mls;

/// <summary>
/// <c>struct { KeyPackageRef new_member; HPKECiphertext encrypted_group_secrets; } EncryptedGroupSecrets;</c>
/// (RFC 9420 §12.4.3.1): a new member's GroupSecrets, encrypted to its key package's init key and labelled with
/// that key package's reference so that it can find its own.
/// </summary>
internal sealed class EncryptedGroupSecrets
{
    public EncryptedGroupSecrets(ReadOnlyMemory<byte> newMember, HpkeCiphertext encryptedGroupSecrets)
    {
        ArgumentNullException.ThrowIfNull(encryptedGroupSecrets);
        NewMember = newMember;
        EncryptedGroupSecretsCiphertext = encryptedGroupSecrets;
    }

    /// <summary>The KeyPackageRef of the new member's key package (<see cref="KeyPackage.ComputeRef"/>).</summary>
    public ReadOnlyMemory<byte> NewMember { get; }

    /// <summary>encrypted_group_secrets.</summary>
    public HpkeCiphertext EncryptedGroupSecretsCiphertext { get; }

    public static EncryptedGroupSecrets Read(ref MlsReader reader)
    {
        var newMember = reader.ReadVectorBytes(MlsLimits.MaxKeyBytes);
        return new EncryptedGroupSecrets(newMember, HpkeCiphertext.Read(ref reader));
    }

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteVector(NewMember.Span);
        EncryptedGroupSecretsCiphertext.Write(writer);
    }
}
