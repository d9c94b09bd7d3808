using System.Security.Cryptography;

namespace Ockam.Identity.Mls;

/// <summary>
/// The transcript hashes (RFC 9420 §8.2), public values that chain every Commit into the group context:
/// <code>
/// confirmed_transcript_hash_[epoch] = Hash(interim_transcript_hash_[epoch - 1] || ConfirmedTranscriptHashInput_[epoch]);
/// interim_transcript_hash_[epoch]   = Hash(confirmed_transcript_hash_[epoch] || InterimTranscriptHashInput_[epoch]);
///
/// struct { WireFormat wire_format; FramedContent content; /* with content_type = commit */ opaque signature&lt;V&gt;; } ConfirmedTranscriptHashInput;
/// struct { MAC confirmation_tag; } InterimTranscriptHashInput;
/// </code>
/// Framing is not modelled yet, so ConfirmedTranscriptHashInput is taken as its encoding.
/// </summary>
internal static class TranscriptHash
{
    /// <summary>confirmed_transcript_hash_[epoch] from the previous interim hash and the Commit's encoded ConfirmedTranscriptHashInput.</summary>
    public static byte[] Confirmed(CipherSuite suite, ReadOnlySpan<byte> interimTranscriptHashBefore, ReadOnlySpan<byte> confirmedTranscriptHashInput)
    {
        ArgumentNullException.ThrowIfNull(suite);
        return SHA256.HashData([.. interimTranscriptHashBefore, .. confirmedTranscriptHashInput]);
    }

    /// <summary>interim_transcript_hash_[epoch] from the new confirmed hash and the Commit's confirmation tag.</summary>
    public static byte[] Interim(CipherSuite suite, ReadOnlySpan<byte> confirmedTranscriptHash, ReadOnlySpan<byte> confirmationTag)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var writer = new MlsWriter(confirmedTranscriptHash.Length + confirmationTag.Length + 4);
        writer.WriteFixed(confirmedTranscriptHash);
        writer.WriteVector(confirmationTag);
        return SHA256.HashData(writer.Written);
    }
}
