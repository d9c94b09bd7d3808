using Ockam.Client.Edge;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Load;

/// <summary>A monitor with an end-to-end channel, through relay <see cref="Relay"/>, to the phone that owns it.</summary>
internal sealed record Pair(string Relay, EdgeNode Phone, EdgeNode Monitor, SecureChannel Channel);
