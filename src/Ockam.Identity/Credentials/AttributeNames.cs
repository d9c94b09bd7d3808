using Ockam.Identity.Encoding;

namespace Ockam.Identity.Credentials;

/// <summary>The one rule for attribute names, wherever they are written or read: 1 to 128 UTF-8 bytes.</summary>
internal static class AttributeNames
{
    public static bool IsValid(string name) =>
        name.Length > 0 && System.Text.Encoding.UTF8.GetByteCount(name) <= CborLimits.MaxAttributeNameSize;

    public static string Read(CborDecoder decoder)
    {
        var name = decoder.ReadText(CborLimits.MaxAttributeNameSize);
        return name.Length > 0 ? name : throw decoder.Error("empty attribute name");
    }
}
