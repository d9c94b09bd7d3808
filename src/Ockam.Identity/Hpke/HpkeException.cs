namespace Ockam.Identity.Hpke;

/// <summary>An HPKE message that does not open (tampered, for someone else, from another sender) or bad setup inputs.</summary>
public sealed class HpkeException(string message, Exception? innerException = null) : Exception(message, innerException);
