namespace Ockam.Identity.Mls;

/// <summary>An MLS cryptographic operation failed: an unsupported suite, a signature that does not verify, a ciphertext that does not open, a generation out of reach.</summary>
internal sealed class MlsCryptoException(string message, Exception? innerException = null) : Exception(message, innerException);
