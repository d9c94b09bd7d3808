using Ockam.Identity.Mls;

namespace Ockam.Identity.Tests.Mls;

/// <summary>
/// The mlswg interop vectors messages.json (RFC 9420 §§5.3, 6, 7, 10, 12): every field of every entry decodes as the
/// struct test-vectors.md names and re-encodes to the same bytes. The structs are random, of any cipher suite, so
/// this proves the codec's shape only; what the values mean is checked where they are used.
/// </summary>
public sealed class MessagesVectorTests
{
    private const int Entries = 300;

    // Each field of an entry, with the decode-then-encode of the struct it holds.
    private static readonly (string Field, Func<byte[], byte[]> RoundTrip)[] Fields =
    [
        ("mls_welcome", b => Message(b, WireFormat.Welcome)),
        ("mls_group_info", b => Message(b, WireFormat.GroupInfo)),
        ("mls_key_package", b => Message(b, WireFormat.KeyPackage)),
        ("ratchet_tree", b => RatchetTree.Decode(b).Encode()),
        ("add_proposal", b => RoundTrip(b, AddProposal.Read, (w, v) => v.Write(w))),
        ("update_proposal", b => RoundTrip(b, UpdateProposal.Read, (w, v) => v.Write(w))),
        ("remove_proposal", b => RoundTrip(b, RemoveProposal.Read, (w, v) => v.Write(w))),
        ("pre_shared_key_proposal", b => RoundTrip(b, PreSharedKeyProposal.Read, (w, v) => v.Write(w))),
        ("re_init_proposal", b => RoundTrip(b, ReInitProposal.Read, (w, v) => v.Write(w))),
        ("external_init_proposal", b => RoundTrip(b, ExternalInitProposal.Read, (w, v) => v.Write(w))),
        ("group_context_extensions_proposal", b => RoundTrip(b, GroupContextExtensionsProposal.Read, (w, v) => v.Write(w))),
        ("group_secrets", b => GroupSecrets.Decode(b).Encode()),
        ("commit", b => Commit.Decode(b).Encode()),
        ("public_message_application", b => PublicMessage(b, ContentType.Application)),
        ("public_message_proposal", b => PublicMessage(b, ContentType.Proposal)),
        ("public_message_commit", b => PublicMessage(b, ContentType.Commit)),
        ("private_message", b => Message(b, WireFormat.PrivateMessage)),
    ];

    [Fact]
    public void Every_field_of_all_300_entries_decodes_and_re_encodes_identically()
    {
        using var document = TestVectors.Load("mls/messages.json");
        var entries = 0;
        var structs = 0;
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            // A field this test does not know would go unchecked.
            Assert.Equal(Fields.Select(f => f.Field).Order(), entry.EnumerateObject().Select(p => p.Name).Order());
            foreach (var (field, roundTrip) in Fields)
            {
                var encoded = entry.Hex(field);
                Assert.True(encoded.AsSpan().SequenceEqual(roundTrip(encoded)), $"entry {entries}, {field}");
                structs++;
            }

            entries++;
        }

        Assert.Equal(Entries, entries);
        Assert.Equal(Entries * Fields.Length, structs);
    }

    // A struct with no Decode of its own: exactly one value, then its encoding.
    private static byte[] RoundTrip<T>(byte[] encoded, MlsReadFunc<T> read, MlsWriteAction<T> write)
    {
        var writer = new MlsWriter();
        write(writer, MlsReader.DecodeExact(encoded, read));
        return writer.ToArray();
    }

    // An MLSMessage, which must be of the wire format the field names.
    private static byte[] Message(byte[] encoded, WireFormat wireFormat)
    {
        var message = MlsMessage.Decode(encoded);
        Assert.Equal(wireFormat, message.WireFormat);
        return message.Encode();
    }

    private static byte[] PublicMessage(byte[] encoded, ContentType contentType)
    {
        var message = MlsMessage.Decode(encoded);
        Assert.Equal(contentType, message.PublicMessage!.Content.ContentType);
        return message.Encode();
    }
}
