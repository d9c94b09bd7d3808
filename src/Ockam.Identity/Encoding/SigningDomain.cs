namespace Ockam.Identity.Encoding;

/// <summary>
/// Every signature covers <c>label ‖ 0x00 ‖ encoded data</c>, so a signature made for one kind of
/// structure can never be replayed as another (domain separation).
/// </summary>
internal static class SigningDomain
{
    public static ReadOnlySpan<byte> Change => "ockam.change.v1"u8;

    public static ReadOnlySpan<byte> Attestation => "ockam.purpose-key-attestation.v1"u8;

    public static ReadOnlySpan<byte> Credential => "ockam.credential.v1"u8;

    public static ReadOnlySpan<byte> RevocationList => "ockam.revocation-list.v1"u8;

    public static byte[] ToBeSigned(ReadOnlySpan<byte> label, ReadOnlySpan<byte> data) => [.. label, 0x00, .. data];
}
