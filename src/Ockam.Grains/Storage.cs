namespace Ockam.Grains;

/// <summary>The grain storage provider every Ockam grain keeps its state in.</summary>
public static class Storage
{
    public const string ProviderName = "ockam";
}
