namespace Ockam.Messaging.SecureChannels;

/// <summary>A channel a listener has accepted.</summary>
public sealed class ChannelAcceptedEventArgs(SecureChannel channel) : EventArgs
{
    public SecureChannel Channel { get; } = channel;
}
