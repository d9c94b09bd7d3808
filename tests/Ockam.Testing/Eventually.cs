namespace Ockam.Testing;

/// <summary>
/// The one wait for a condition that nothing signals: it polls, and fails with a <see cref="TimeoutException"/> once the
/// bound has passed, so that a test which waits for what never happens fails rather than passes or hangs.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <exception cref="TimeoutException"><paramref name="condition"/> was still false after <paramref name="within"/> (default <see cref="DefaultBound"/>).</exception>
    public static Task TrueAsync(Func<bool> condition, TimeSpan? within = null, CancellationToken cancellationToken = default) =>
        TrueAsync(() => Task.FromResult(condition()), within, cancellationToken);

    /// <exception cref="TimeoutException"><paramref name="condition"/> was still false after <paramref name="within"/> (default <see cref="DefaultBound"/>).</exception>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? within = null, CancellationToken cancellationToken = default)
    {
        var bound = within ?? DefaultBound;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(bound);
        while (!await condition())
        {
            try
            {
                await Task.Delay(Interval, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"the condition was still false after {bound}");
            }
        }
    }
}
