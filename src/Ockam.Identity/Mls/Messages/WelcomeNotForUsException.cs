namespace Ockam.Identity.Mls;

/// <summary>
/// A Welcome holds no GroupSecrets for our KeyPackage (RFC 9420 §12.4.3.1). Not an attack as such: one Welcome may
/// go to several joiners, or be meant for another of our key packages, so a caller may well try the next one.
/// </summary>
internal sealed class WelcomeNotForUsException(string message) : Exception(message);
