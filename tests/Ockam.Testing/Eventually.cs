namespace Ockam.Testing;

/// <summary>
/// The one wait for a condition that nothing signals: it polls, and fails with a <see cref="TimeoutException"/> once the
/// bound has passed, so that a test which waits for what never happens fails rather than passes or hangs.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Returns once <paramref name="condition"/> holds.</summary>
    /// <param name="within">
    /// The bound: by default <see cref="DefaultBound"/>, or, when the caller passes a token that can be cancelled, that
    /// token's (a test that bounds its whole run so keeps one bound).
    /// </param>
    /// <exception cref="TimeoutException"><paramref name="condition"/> was still false after <paramref name="within"/>.</exception>
    public static Task TrueAsync(Func<bool> condition, TimeSpan? within = null, CancellationToken cancellationToken = default) =>
        TrueAsync(() => Task.FromResult(condition()), within, cancellationToken);

    /// <inheritdoc cref="TrueAsync(Func{bool}, TimeSpan?, CancellationToken)"/>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? within = null, CancellationToken cancellationToken = default)
    {
        var bound = within ?? (cancellationToken.CanBeCanceled ? Timeout.InfiniteTimeSpan : DefaultBound);
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
