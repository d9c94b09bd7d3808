using System.Security.Cryptography;
using System.Text;

namespace Ockam.Messaging.Routing;

/// <summary>One hop of a route: a transport type and an opaque value (a worker name, "host:port", ...).</summary>
public sealed class Address : IEquatable<Address>
{
    /// <summary>The longest address value, in bytes.</summary>
    public const int MaxValueLength = 255;

    private readonly byte[] value;

    public Address(TransportType type, ReadOnlySpan<byte> value)
    {
        if (value.Length is 0 or > MaxValueLength)
        {
            throw new ArgumentException($"an address value is 1 to {MaxValueLength} bytes, not {value.Length}", nameof(value));
        }

        Type = type;
        this.value = value.ToArray();
    }

    public TransportType Type { get; }

    public ReadOnlySpan<byte> Value => value;

    public bool IsLocal => Type == TransportType.Local;

    public static Address Local(string name) => new(TransportType.Local, Encoding.UTF8.GetBytes(name));

    public static Address Tcp(string hostAndPort) => new(TransportType.Tcp, Encoding.UTF8.GetBytes(hostAndPort));

    public static Address Memory(string name) => new(TransportType.Memory, Encoding.UTF8.GetBytes(name));

    /// <summary>A fresh local address nobody can guess: replies through a node name its workers, so names must not be predictable.</summary>
    public static Address RandomLocal(string prefix) => Local($"{prefix}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}");

    /// <summary>The value as text (worker names and host:port are UTF-8).</summary>
    public string ValueText => Encoding.UTF8.GetString(value);

    public bool Equals(Address? other) => other is not null && other.Type == Type && other.value.AsSpan().SequenceEqual(value);

    public override bool Equals(object? obj) => Equals(obj as Address);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        hash.AddBytes(value);
        return hash.ToHashCode();
    }

    public override string ToString() => $"{Type.ToString().ToLowerInvariant()}:{ValueText}";
}
