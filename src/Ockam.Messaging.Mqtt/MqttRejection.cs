namespace Ockam.Messaging.Mqtt;

/// <summary>Why the transport refused an MQTT message before it reached any worker.</summary>
public enum MqttRejection
{
    /// <summary>Not one of this node's topics, or the sender's name in it is not a valid node name.</summary>
    UnknownTopic,

    /// <summary>A payload larger than the frame limit.</summary>
    FrameTooLarge,

    /// <summary>A payload that is not a well-formed message.</summary>
    Malformed,

    /// <summary>A reply from a peer this node has no connection to: nothing remote opens one that way.</summary>
    NotDialled,

    /// <summary>A new peer while the most peers the node accepts at once are connected already.</summary>
    TooManyPeers,
}
