namespace Ockam.Identity.Groups;

/// <summary>A group commit or message was refused; <see cref="Error"/> says why.</summary>
public sealed class GroupException(GroupError error, string message, Exception? innerException = null) : Exception(message, innerException)
{
    public GroupError Error { get; } = error;
}
