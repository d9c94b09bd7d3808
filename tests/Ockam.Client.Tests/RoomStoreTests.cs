using Ockam.Client.Edge;
using Ockam.Client.Tests.Attacks;
using Ockam.Identity.Identities;
using Ockam.Identity.Mls;
using Ockam.Identity.Vault;
using Ockam.Messaging.Api;
using Ockam.Messaging.Nodes;

namespace Ockam.Client.Tests;

/// <summary>
/// A room saved as an epoch state (once per epoch) and a record per message naming it: a message sent or read rewrites
/// only the record; a new epoch writes its state first and deletes the old one only once the record names the new one,
/// so a crash between the two writes restarts in the old epoch; an epoch state swapped in under another's name is refused.
/// </summary>
public sealed class RoomStoreTests : IDisposable
{
    private readonly TempDirectory homes = new();

    public void Dispose() => homes.Dispose();

    [Fact]
    public async Task Messages_rewrite_only_the_record_and_a_new_epoch_replaces_its_state_once_named()
    {
        var service = new ScriptedDeliveryService();
        var home = Path.Combine(homes.Path, "alice");
        var rooms = Path.Combine(home, "rooms");
        var group = GroupId.Room("ward");
        string epoch0;
        byte[] epoch0Bytes;
        var (client, node, signing) = await ScriptedDeliveryService.ClientAsync(home, service);
        using (node)
        using (client)
        {
            await client.CreateAsync("ward", null);
            epoch0 = Assert.Single(EpochFiles(rooms));
            epoch0Bytes = await File.ReadAllBytesAsync(epoch0);
            var record = await File.ReadAllBytesAsync(Record(rooms));
            for (var i = 0; i < 5; i++)
            {
                await client.SendAsync(group, new[] { (byte)i });
            }

            // Every send saved its generation: in the record, the epoch state untouched.
            Assert.Equal(epoch0, Assert.Single(EpochFiles(rooms)));
            Assert.Equal(epoch0Bytes, await File.ReadAllBytesAsync(epoch0));
            Assert.NotEqual(record, await File.ReadAllBytesAsync(Record(rooms)));

            // A crash between the new epoch's two writes: the old record and both epoch states on disk.
            var crashed = Path.Combine(homes.Path, "crashed");
            CopyDirectory(rooms, crashed);
            await client.UpdateAsync(group);
            var epoch1 = Assert.Single(EpochFiles(rooms));
            Assert.NotEqual(epoch0, epoch1);
            File.Copy(epoch1, Path.Combine(crashed, Path.GetFileName(epoch1)));
            using (var restarted = await LoadAsync(crashed, node, signing, group))
            {
                Assert.Equal(0UL, restarted.Group.Epoch);
            }

            // The state of the epoch no record names is gone with the restart.
            Assert.Equal(Path.GetFileName(epoch0), Path.GetFileName(Assert.Single(EpochFiles(crashed))));

            // The old epoch's state under the new one's name: the record does not open over it.
            var swapped = Path.Combine(homes.Path, "swapped");
            CopyDirectory(rooms, swapped);
            await File.WriteAllBytesAsync(Path.Combine(swapped, Path.GetFileName(epoch1)), epoch0Bytes);
            var refused = await Assert.ThrowsAsync<EdgeException>(() => LoadAsync(swapped, node, signing, group));
            Assert.Contains("cannot be read", refused.Message, StringComparison.Ordinal);
        }

        // A new process goes on in epoch 1 from the record and the one epoch state, and sends on.
        (client, node, _) = await ScriptedDeliveryService.ClientAsync(home, service);
        using (node)
        using (client)
        {
            await client.EnterAsync(group);
            Assert.Equal(1UL, client.Epoch(group));
            await client.SendAsync(group, "after"u8.ToArray());
            Assert.Single(EpochFiles(rooms));
        }
    }

    [Fact]
    public async Task A_room_saved_whole_by_version_1_resumes_and_is_rewritten_as_an_epoch_state_and_a_record()
    {
        var service = new ScriptedDeliveryService();
        var home = Path.Combine(homes.Path, "alice");
        var rooms = Path.Combine(home, "rooms");
        var group = GroupId.Room("ward");
        var (client, node, signing) = await ScriptedDeliveryService.ClientAsync(home, service);
        using (node)
        using (client)
        {
            await client.CreateAsync("ward", null);
            await client.UpdateAsync(group);
            await client.SendAsync(group, "before"u8.ToArray());
            Assert.Equal(1UL, client.Epoch(group));
        }

        // The same state as version 1 wrote it: the whole MLS state in field 2, log positions and the sealed unshown
        // messages after it, and no epoch file.
        var record = await File.ReadAllBytesAsync(Record(rooms));
        using (node = await NodeHome.OpenAsync(home))
        {
            var key = new KeyHandle((await File.ReadAllTextAsync(Path.Combine(rooms, "state-key"))).Trim(), KeyType.AesGcm);
            using var state = await LoadAsync(rooms, node, signing, group);
            var v1 = Version1(record, state.Group.Save(key));
            foreach (var file in EpochFiles(rooms))
            {
                File.Delete(file);
            }

            await File.WriteAllBytesAsync(Record(rooms), v1);
        }

        (client, node, _) = await ScriptedDeliveryService.ClientAsync(home, service);
        using (node)
        using (client)
        {
            Assert.Equal([group], await client.KnownAsync());
            await client.EnterAsync(group);
            Assert.Equal(1UL, client.Epoch(group));
            await client.SendAsync(group, "after"u8.ToArray());

            // Saved as version 2: an epoch state and the record naming it.
            Assert.Single(EpochFiles(rooms));
            Assert.Equal(2u, Fields(await File.ReadAllBytesAsync(Record(rooms)))[0].GetUInt32());
        }

        // And a further process resumes from version 2 and sends on in the same epoch.
        (client, node, _) = await ScriptedDeliveryService.ClientAsync(home, service);
        using (node)
        using (client)
        {
            await client.EnterAsync(group);
            Assert.Equal(1UL, client.Epoch(group));
            await client.SendAsync(group, "later"u8.ToArray());
        }
    }

    /// <summary>A version 1 record of the version 2 <paramref name="record"/>: its group, positions and sealed messages around <paramref name="wholeState"/>.</summary>
    private static byte[] Version1(byte[] record, byte[] wholeState)
    {
        var fields = Fields(record);
        var writer = new System.Formats.Cbor.CborWriter(System.Formats.Cbor.CborConformanceMode.Canonical);
        writer.WriteStartMap(7);
        writer.WriteUInt32(0);
        writer.WriteUInt32(1);
        writer.WriteUInt32(1);
        writer.WriteEncodedValue(fields[1].Encoded.Span);
        writer.WriteUInt32(2);
        writer.WriteByteString(wholeState);
        for (var key = 4u; key <= 7; key++)
        {
            writer.WriteUInt32(key - 1);
            writer.WriteEncodedValue(fields[key].Encoded.Span);
        }

        writer.WriteEndMap();
        return writer.Encode();
    }

    private static Dictionary<uint, (ReadOnlyMemory<byte> Encoded, Func<uint> GetUInt32)> Fields(byte[] record)
    {
        var reader = new System.Formats.Cbor.CborReader(record, System.Formats.Cbor.CborConformanceMode.Canonical);
        var fields = new Dictionary<uint, (ReadOnlyMemory<byte>, Func<uint>)>();
        for (var count = reader.ReadStartMap(); count > 0; count--)
        {
            var key = reader.ReadUInt32();
            var encoded = reader.ReadEncodedValue();
            fields[key] = (encoded, () => new System.Formats.Cbor.CborReader(encoded).ReadUInt32());
        }

        return fields;
    }

    private static IEnumerable<string> EpochFiles(string rooms) => Directory.EnumerateFiles(rooms, "*.epoch");

    private static string Record(string rooms) => Assert.Single(Directory.EnumerateFiles(rooms, "*.room"));

    private static async Task<RoomState> LoadAsync(string rooms, NodeHome home, PurposeKey signing, GroupId group)
    {
        var services = new MlsGroupServices(home.Vault, new OckamCredentialAuthentication(new MlsMemberDirectory(new KnownIdentities(home.Vault), home.Vault), TimeProvider.System), RoleMembershipPolicy.Instance, TimeProvider.System);
        return (await new RoomStore(rooms, home.Vault).LoadAsync(group, services, signing.Key, CancellationToken.None))!;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
