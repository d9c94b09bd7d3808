namespace Ockam.Messaging.Api;

/// <summary>A request or response body: named, typed fields written to and read from a canonical CBOR map.</summary>
public interface IApiBody<TSelf>
    where TSelf : IApiBody<TSelf>
{
    void Write(ApiBodyWriter body);

    /// <exception cref="Ockam.Identity.Encoding.OckamDecodeException">A field is missing, of the wrong type or too large.</exception>
    static abstract TSelf Read(ApiBodyReader body);
}
