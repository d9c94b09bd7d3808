namespace Ockam.Identity.Hpke;

/// <summary>RFC 9180 modes: whether the sender authenticates with its static key, and whether a pre-shared key is mixed in.</summary>
public enum HpkeMode : byte
{
    Base = 0,
    Psk = 1,
    Auth = 2,
    AuthPsk = 3,
}
