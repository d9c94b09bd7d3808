using System.Reflection;

namespace Ockam.Testing;

/// <summary>A silo's outgoing calls: while on, every call to a grain method <paramref name="matches"/> picks meets <paramref name="fault"/> instead of going through.</summary>
internal sealed class GrainCallFault(Func<MethodInfo, bool> matches, Func<Task> fault) : IOutgoingGrainCallFilter
{
    private volatile bool on;

    public bool On
    {
        get => on;
        set => on = value;
    }

    public Task Invoke(IOutgoingGrainCallContext context) =>
        on && context.InterfaceMethod is { } method && matches(method) ? fault() : context.Invoke();
}
