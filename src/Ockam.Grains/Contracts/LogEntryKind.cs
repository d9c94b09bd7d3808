namespace Ockam.Grains.Contracts;

[GenerateSerializer, Alias("ockam.log-entry-kind")]
public enum LogEntryKind
{
    Commit = 1,
    Message = 2,
}
