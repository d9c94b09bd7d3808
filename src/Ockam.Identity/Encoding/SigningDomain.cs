namespace Ockam.Identity.Encoding;

/// <summary>
/// Every signature covers <c>label ‖ 0x00 ‖ encoded data</c>, so a signature made for one kind of
/// structure can never be replayed as another (domain separation).
/// </summary>
internal static class SigningDomain
{
    public const string Change = "ockam.change.v1";
    public const string Attestation = "ockam.purpose-key-attestation.v1";
    public const string Credential = "ockam.credential.v1";
    public const string RevocationList = "ockam.revocation-list.v1";
    public const string GroupCommit = "ockam.group-commit.v1";
    public const string GroupMessage = "ockam.group-message.v1";

    public static byte[] ToBeSigned(string label, ReadOnlySpan<byte> data)
    {
        var result = new byte[label.Length + 1 + data.Length];
        System.Text.Encoding.ASCII.GetBytes(label, result);
        data.CopyTo(result.AsSpan(label.Length + 1));
        return result;
    }
}
