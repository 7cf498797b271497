using Microsoft.Data.Sqlite;

namespace Cetus.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <summary>Revisions removed per compaction step, so that writes queued meanwhile are not held up for long.</summary>
    private const long CompactionStep = 10_000;
    private static readonly TimeSpan ExpirySweepInterval = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public async Task CompactAsync(long revision, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (revision <= 0)
        {
            throw new StoreException(StoreError.InvalidArgument, $"compaction revision must be positive (got {revision})");
        }

        var current = Volatile.Read(ref _committedRevision);
        if (revision > current)
        {
            throw new StoreException(StoreError.FutureRevision, $"cannot compact to revision {revision}: the store is at {current}") { CurrentRevision = current };
        }

        if (revision <= Volatile.Read(ref _compactRevision))
        {
            return;
        }

        // First move the compaction point, so that reads and watches older than it fail from now on; then remove rows.
        await MaintainAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO meta (name, value) VALUES ($name, $rev) ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)";
            command.Parameters.AddWithValue("$name", SqliteSchema.CompactRevisionName);
            command.Parameters.AddWithValue("$rev", revision);
            command.ExecuteNonQuery();
            Volatile.Write(ref _compactRevision, Math.Max(Volatile.Read(ref _compactRevision), revision));
        }, cancellationToken).ConfigureAwait(false);

        var oldest = ReadOldestRevision();
        for (var low = oldest - 1; low < revision; low += CompactionStep)
        {
            var high = Math.Min(low + CompactionStep, revision);
            var from = low;
            await MaintainAsync(connection =>
            {
                // A row up to the compaction point goes when it is a delete, or when a newer row of its key (also up to
                // the point) replaced it. What is left rebuilds every state from the compaction point on.
                using var command = connection.CreateCommand();
                command.CommandText = """
                    DELETE FROM log WHERE rev > $low AND rev <= $high
                      AND (deleted = 1 OR rev < (SELECT max(n.rev) FROM log n WHERE n.key = log.key AND n.rev <= $compact))
                    """;
                command.Parameters.AddWithValue("$low", from);
                command.Parameters.AddWithValue("$high", high);
                command.Parameters.AddWithValue("$compact", revision);
                command.ExecuteNonQuery();
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    private long ReadOldestRevision()
    {
        var reader = RentReader();
        try
        {
            using var command = reader.Connection.CreateCommand();
            command.CommandText = "SELECT min(rev) FROM log";
            return command.ExecuteScalar() is long oldest ? oldest : 0;
        }
        finally
        {
            ReturnReader(reader);
        }
    }

    private Task MaintainAsync(Action<SqliteConnection> step, CancellationToken cancellationToken) =>
        EnqueueAsync(new WriteOp(WriteKind.Maintenance, string.Empty, [], null, 0, null, cancellationToken) { Maintenance = step });

    private void RunMaintenance(WriteOp op)
    {
        try
        {
            using (var transaction = _writer.BeginTransaction())
            {
                op.Maintenance!(_writer);
                transaction.Commit();
            }

            op.Done.TrySetResult(new WriteResult(WriteStatus.Succeeded, null, _committedRevision));
        }
        catch (Exception e) when (e is SqliteException or IOException)
        {
            op.Done.TrySetException(new StoreException(StoreError.Unavailable, $"the datastore {Path} failed during maintenance: {e.Message}", e));
        }
    }

    private async Task MaintenanceLoopAsync(CancellationToken cancellationToken)
    {
        var compaction = _options.Compaction is { } options
            ? AutoCompactor.RunAsync(this, options, _options.TimeProvider, cancellationToken)
            : Task.CompletedTask;
        var expiry = ExpiryLoopAsync(cancellationToken);
        await Task.WhenAll(compaction, expiry).ConfigureAwait(false);
    }

    /// <summary>Deletes keys whose time-to-live has passed, as etcd revokes an expired lease: watches see a delete.</summary>
    private async Task ExpiryLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(ExpirySweepInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            await DeleteExpiredAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        var now = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var expired = new List<(string Key, long ModRevision)>();
        var reader = RentReader();
        try
        {
            using var command = reader.Connection.CreateCommand();
            command.CommandText = "SELECT key, mod_rev FROM kv WHERE expires_at IS NOT NULL AND expires_at <= $now ORDER BY expires_at LIMIT 1000";
            command.Parameters.AddWithValue("$now", now);
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                expired.Add((KeyRules.Text((byte[])rows.GetValue(0)), rows.GetInt64(1)));
            }
        }
        finally
        {
            ReturnReader(reader);
        }

        // Conditional on the revision read, so a key written again meanwhile (with a new time-to-live) stays.
        var deletes = expired.Select(e => DeleteAsync(e.Key, e.ModRevision, cancellationToken));
        var results = await Task.WhenAll(deletes).ConfigureAwait(false);
        return results.Count(r => r.Succeeded);
    }
}
