namespace Cetus.Controllers.Common;

/// <summary>
/// pkg/controller's slowStartBatch: makes calls in batches of 1, 2, 4, 8 … run in parallel, stopping after the first
/// batch with a failure, so a quota or admission error costs one call instead of hundreds.
/// </summary>
public static class SlowStart
{
    /// <summary>The first batch size.</summary>
    public const int InitialBatchSize = 1;

    /// <summary>Runs <paramref name="count"/> calls (each returns its error or null); returns the successes and the first error.</summary>
    public static async Task<(int Successes, Exception? Error)> RunAsync(int count, Func<CancellationToken, Task<Exception?>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var successes = 0;
        var remaining = count;
        for (var batch = Math.Min(remaining, InitialBatchSize); batch > 0; batch = Math.Min(2 * batch, remaining))
        {
            var errors = await Task.WhenAll(Enumerable.Range(0, batch).Select(_ => call(cancellationToken))).ConfigureAwait(false);
            successes += errors.Count(e => e is null);
            if (errors.FirstOrDefault(e => e is not null) is { } error)
            {
                return (successes, error);
            }

            remaining -= batch;
        }

        return (successes, null);
    }
}
