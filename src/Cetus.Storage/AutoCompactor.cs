namespace Cetus.Storage;

/// <summary>
/// Periodic compaction, the same for every backend: each run discards the history older than the revision seen at the
/// previous run (so at least one interval is kept) while always keeping <see cref="CompactionOptions.MinRetainedRevisions"/>.
/// </summary>
public static class AutoCompactor
{
    /// <summary>The revision to compact to, or 0 for none.</summary>
    /// <param name="previousRunRevision">The store's revision at the previous run.</param>
    /// <param name="currentRevision">The store's revision now.</param>
    /// <param name="compactRevision">The current compaction point.</param>
    /// <param name="options">How much history to keep.</param>
    public static long Target(long previousRunRevision, long currentRevision, long compactRevision, CompactionOptions options)
    {
        var target = Math.Min(previousRunRevision, currentRevision - options.MinRetainedRevisions);
        return target > compactRevision ? target : 0;
    }

    /// <summary>Compacts <paramref name="store"/> every interval until <paramref name="cancellationToken"/> fires.</summary>
    public static async Task RunAsync(IStore store, CompactionOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        long? previous = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var current = await store.GetCurrentRevisionAsync(cancellationToken).ConfigureAwait(false);
                if (previous is { } before)
                {
                    var compacted = await store.GetCompactRevisionAsync(cancellationToken).ConfigureAwait(false);
                    var target = Target(before, current, compacted, options);
                    if (target > 0)
                    {
                        await store.CompactAsync(target, cancellationToken).ConfigureAwait(false);
                    }
                }

                previous = current;
            }
            catch (StoreException)
            {
                // The datastore is briefly unavailable: the next run compacts what this one could not.
            }

            await Task.Delay(options.Interval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
