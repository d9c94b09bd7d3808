namespace Ockam.Grains.GroupLog;

/// <summary>An entry a group's log keeps, by index, with the size of its bytes: the log is bounded in count and bytes.</summary>
internal readonly record struct KeptEntry(ulong Index, int Bytes);
