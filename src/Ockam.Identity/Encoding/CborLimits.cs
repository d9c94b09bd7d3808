namespace Ockam.Identity.Encoding;

/// <summary>Bounds every decoder enforces (DESIGN.md §12).</summary>
public static class CborLimits
{
    /// <summary>Maximum nesting of maps and arrays inside one encoded structure.</summary>
    public const int MaxDepth = 16;

    /// <summary>Maximum size of an encoded credential.</summary>
    public const int MaxCredentialSize = 8 * 1024;

    /// <summary>Maximum number of attributes in one credential.</summary>
    public const int MaxAttributes = 64;

    /// <summary>Maximum size of one attribute value.</summary>
    public const int MaxAttributeValueSize = 1024;

    /// <summary>Maximum length, in UTF-8 bytes, of an attribute name.</summary>
    public const int MaxAttributeNameSize = 128;

    /// <summary>Maximum number of changes in one identity's history.</summary>
    public const int MaxChanges = 256;

    /// <summary>Maximum size of an encoded change history.</summary>
    public const int MaxHistorySize = 64 * 1024;

    /// <summary>Maximum number of serials in one revocation list.</summary>
    public const int MaxRevokedSerials = 100_000;

    /// <summary>Maximum size of an encoded revocation list.</summary>
    public const int MaxRevocationListSize = 1024 * 1024;

    /// <summary>Maximum length of a delegation chain.</summary>
    public const int MaxDelegationDepth = 4;
}
