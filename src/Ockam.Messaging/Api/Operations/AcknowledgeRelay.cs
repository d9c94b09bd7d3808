using System.Buffers.Binary;
using Ockam.Identity.Encoding;

namespace Ockam.Messaging.Api.Operations;

/// <summary>
/// Acknowledge the messages <c>sequences</c> relayed through <c>relay</c>: one request for many, so that draining a
/// mailbox costs a request per batch, not per message. On the wire <c>sequences</c> is bytes: each sequence as 8 bytes,
/// big-endian, 1 to <see cref="MaxSequences"/> of them.
/// </summary>
public sealed record AcknowledgeRelayRequest(string Relay, IReadOnlyList<ulong> Sequences) : IApiRequest<AcknowledgeRelayRequest, EmptyResponse>
{
    /// <summary>Sequences one request acknowledges at most (8 KiB on the wire).</summary>
    public const int MaxSequences = 1024;

    private const int SequenceSize = sizeof(ulong);

    public static ApiOperation Operation => ApiOperation.AcknowledgeRelay;

    public void Write(ApiBodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var packed = new byte[Sequences.Count * SequenceSize];
        for (var i = 0; i < Sequences.Count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(packed.AsSpan(i * SequenceSize), Sequences[i]);
        }

        body.Text("relay", Relay);
        body.Bytes("sequences", packed);
    }

    /// <exception cref="OckamDecodeException">No sequence, more than <see cref="MaxSequences"/>, a partial one, or sequence 0 (which nothing acknowledges).</exception>
    public static AcknowledgeRelayRequest Read(ApiBodyReader body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var relay = body.Text("relay", ApiLimits.MaxName);
        var packed = body.Bytes("sequences", MaxSequences * SequenceSize).Span;
        if (packed.Length is 0 || packed.Length % SequenceSize != 0)
        {
            throw new OckamDecodeException($"acknowledge-relay: 'sequences' holds 1 to {MaxSequences} sequences of {SequenceSize} bytes each");
        }

        var sequences = new ulong[packed.Length / SequenceSize];
        for (var i = 0; i < sequences.Length; i++)
        {
            sequences[i] = BinaryPrimitives.ReadUInt64BigEndian(packed[(i * SequenceSize)..]);
            if (sequences[i] == RelayDelivery.Unstored)
            {
                throw new OckamDecodeException("acknowledge-relay: sequence 0 is never stored, so never acknowledged");
            }
        }

        return new(relay, sequences);
    }
}
