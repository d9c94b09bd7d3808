namespace Ockam.Identity.Mls;

/// <summary>
/// The group refused a message, a Welcome or an operation; <see cref="Error"/> says why. The group is left exactly as
/// it was before the call.
/// </summary>
internal sealed class MlsGroupException(MlsGroupError error, string message, Exception? innerException = null) : Exception(message, innerException)
{
    public MlsGroupError Error { get; } = error;
}
