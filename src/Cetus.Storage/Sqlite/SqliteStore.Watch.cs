using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Cetus.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const int CatchUpPage = 1000;

    /// <inheritdoc />
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prefixBytes = KeyRules.Key(_options, prefix, "prefix");
        if (afterRevision < 0)
        {
            throw new StoreException(StoreError.InvalidArgument, $"watch revision must not be negative (got {afterRevision})");
        }

        ThrowIfDisposed();
        var end = KeyRules.PrefixEnd(prefixBytes);
        var position = afterRevision;
        while (true)
        {
            // Subscribe first, then read the log up to the revision the live feed starts after: nothing falls between.
            using var subscription = _broadcaster.Subscribe(prefix, out var liveAfter);
            while (position < liveAfter)
            {
                var (page, reachedEnd) = ReadChanges(prefixBytes, end, position, liveAfter);
                foreach (var change in page)
                {
                    yield return change;
                    position = change.Revision;
                }

                if (reachedEnd)
                {
                    position = liveAfter;
                }
            }

            await foreach (var change in subscription.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (change.Revision > position)
                {
                    yield return change;
                    position = change.Revision;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (!subscription.Overflowed)
            {
                throw new StoreException(StoreError.Unavailable, $"the datastore {Path} was closed");
            }

            // This watcher fell behind its buffer: resubscribe and catch up from the log where it stopped.
        }
    }

    private (List<WatchEvent> Page, bool ReachedEnd) ReadChanges(byte[] from, byte[] end, long after, long upto)
    {
        var reader = RentReader();
        try
        {
            using var transaction = reader.Connection.BeginTransaction(deferred: true);
            var (current, compact) = SqliteSchema.ReadRevisions(reader.Connection, transaction);
            if (after < compact)
            {
                throw StoreException.Compacted(after, compact, current);
            }

            var command = reader.Changes;
            command.Transaction = transaction;
            var p = command.Parameters;
            p[0].Value = after;
            p[1].Value = upto;
            p[2].Value = from;
            p[3].Value = end;
            p[4].Value = CatchUpPage;
            var page = new List<WatchEvent>();
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                var revision = rows.GetInt64(0);
                var key = KeyRules.Text((byte[])rows.GetValue(1));
                var previous = rows.IsDBNull(5) ? null : new KeyValue(key, (byte[])rows.GetValue(7), rows.GetInt64(6), rows.GetInt64(5));
                page.Add(rows.GetInt64(2) == 1
                    ? new WatchEvent(WatchEventType.Delete, new KeyValue(key, [], 0, revision), previous)
                    : new WatchEvent(WatchEventType.Put, new KeyValue(key, (byte[])rows.GetValue(4), rows.GetInt64(3), revision), previous));
            }

            return (page, page.Count < CatchUpPage);
        }
        catch (SqliteException e)
        {
            throw Unavailable(e);
        }
        finally
        {
            ReturnReader(reader);
        }
    }
}
