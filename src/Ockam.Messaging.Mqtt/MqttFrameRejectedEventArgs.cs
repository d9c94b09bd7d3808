namespace Ockam.Messaging.Mqtt;

/// <summary>A message on this node's topics was refused; nothing of its contents is kept.</summary>
public sealed class MqttFrameRejectedEventArgs(MqttRejection reason, int size, string? peer) : EventArgs
{
    public MqttRejection Reason { get; } = reason;

    /// <summary>The payload's size in bytes.</summary>
    public int Size { get; } = size;

    /// <summary>The sender's name as the topic gave it (anyone on the broker may claim any name), or null if the topic had none valid.</summary>
    public string? Peer { get; } = peer;
}
