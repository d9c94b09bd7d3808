namespace Ockam.Identity.Mls;

/// <summary>
/// Every MLS message on the wire (RFC 9420 §6):
/// <code>
/// struct {
///     ProtocolVersion version = mls10;
///     WireFormat wire_format;
///     select (MLSMessage.wire_format) {
///         case mls_public_message:  PublicMessage public_message;
///         case mls_private_message: PrivateMessage private_message;
///         case mls_welcome:         Welcome welcome;
///         case mls_group_info:      GroupInfo group_info;
///         case mls_key_package:     KeyPackage key_package;
///     };
/// } MLSMessage;
/// </code>
/// Only mls10 is accepted (the version fixes the layout of what follows), and an unknown wire format is a decode
/// error: its body has no length prefix. Exactly the body of <see cref="WireFormat"/> is set.
/// </summary>
internal sealed class MlsMessage
{
    private MlsMessage(WireFormat wireFormat, PublicMessage? publicMessage = null, PrivateMessage? privateMessage = null, Welcome? welcome = null, GroupInfo? groupInfo = null, KeyPackage? keyPackage = null)
    {
        WireFormat = wireFormat;
        PublicMessage = publicMessage;
        PrivateMessage = privateMessage;
        Welcome = welcome;
        GroupInfo = groupInfo;
        KeyPackage = keyPackage;
    }

    public WireFormat WireFormat { get; }

    public PublicMessage? PublicMessage { get; }

    public PrivateMessage? PrivateMessage { get; }

    public Welcome? Welcome { get; }

    public GroupInfo? GroupInfo { get; }

    public KeyPackage? KeyPackage { get; }

    public static MlsMessage Of(PublicMessage message) => new(WireFormat.PublicMessage, publicMessage: Required(message));

    public static MlsMessage Of(PrivateMessage message) => new(WireFormat.PrivateMessage, privateMessage: Required(message));

    public static MlsMessage Of(Welcome welcome) => new(WireFormat.Welcome, welcome: Required(welcome));

    public static MlsMessage Of(GroupInfo groupInfo) => new(WireFormat.GroupInfo, groupInfo: Required(groupInfo));

    public static MlsMessage Of(KeyPackage keyPackage) => new(WireFormat.KeyPackage, keyPackage: Required(keyPackage));

    public static MlsMessage Decode(ReadOnlySpan<byte> encoded) => MlsReader.DecodeExact(encoded, Read);

    public static MlsMessage Read(ref MlsReader reader)
    {
        var versionAt = reader.Position;
        var version = (ProtocolVersion)reader.ReadUInt16();
        if (version != ProtocolVersion.Mls10)
        {
            throw reader.Error(versionAt, $"MLS message version {(ushort)version} is not mls10");
        }

        var formatAt = reader.Position;
        return (WireFormat)reader.ReadUInt16() switch
        {
            WireFormat.PublicMessage => Of(PublicMessage.Read(ref reader)),
            WireFormat.PrivateMessage => Of(PrivateMessage.Read(ref reader)),
            WireFormat.Welcome => Of(Welcome.Read(ref reader)),
            WireFormat.GroupInfo => Of(GroupInfo.Read(ref reader)),
            WireFormat.KeyPackage => Of(KeyPackage.Read(ref reader)),
            var other => throw reader.Error(formatAt, $"MLS wire format {(ushort)other} is not supported"),
        };
    }

    public byte[] Encode() => MlsWriter.Encode(Write);

    public void Write(MlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUInt16((ushort)ProtocolVersion.Mls10);
        writer.WriteUInt16((ushort)WireFormat);
        switch (WireFormat)
        {
            case WireFormat.PublicMessage:
                PublicMessage!.Write(writer);
                break;
            case WireFormat.PrivateMessage:
                PrivateMessage!.Write(writer);
                break;
            case WireFormat.Welcome:
                Welcome!.Write(writer);
                break;
            case WireFormat.GroupInfo:
                GroupInfo!.Write(writer);
                break;
            default:
                KeyPackage!.Write(writer);
                break;
        }
    }

    private static T Required<T>(T value)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(value);
        return value;
    }
}
