using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Cetus.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const int MaxIdleReaders = 32;
    private readonly ConcurrentBag<ReaderConnection> _readers = [];

    /// <inheritdoc />
    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyRules.Key(_options, key);
        cancellationToken.ThrowIfCancellationRequested();
        var reader = RentReader();
        try
        {
            var command = reader.Get;
            command.Parameters[0].Value = keyBytes;
            using var row = command.ExecuteReader();
            return Task.FromResult(row.Read() ? new KeyValue(key, (byte[])row.GetValue(2), row.GetInt64(0), row.GetInt64(1)) : null);
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

    /// <inheritdoc />
    public Task<ListResult> ListAsync(string prefix, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        var (from, end) = KeyRules.ListRange(_options, prefix, options);
        cancellationToken.ThrowIfCancellationRequested();

        var reader = RentReader();
        try
        {
            // One read transaction: the revision and the rows come from the same snapshot.
            using var transaction = reader.Connection.BeginTransaction(deferred: true);
            var (current, compact) = SqliteSchema.ReadRevisions(reader.Connection, transaction);
            var revision = options.Revision == 0 ? current : options.Revision;
            if (revision > current)
            {
                throw new StoreException(StoreError.FutureRevision, $"revision {revision} is newer than the store's {current}") { CurrentRevision = current };
            }

            if (revision < compact)
            {
                throw StoreException.Compacted(revision, compact, current);
            }

            var command = revision == current ? reader.ListLatest : reader.ListAt;
            command.Transaction = transaction;
            var p = command.Parameters;
            p[0].Value = from;
            p[1].Value = end;
            p[2].Value = options.Limit == 0 ? -1 : options.Limit + 1;
            if (command == reader.ListAt)
            {
                p[3].Value = revision;
            }

            var items = new List<KeyValue>(options.Limit is > 0 and < 10_000 ? (int)options.Limit + 1 : 64);
            using (var rows = command.ExecuteReader())
            {
                while (rows.Read())
                {
                    items.Add(new KeyValue(KeyRules.Text((byte[])rows.GetValue(0)), (byte[])rows.GetValue(3), rows.GetInt64(1), rows.GetInt64(2)));
                }
            }

            var hasMore = options.Limit > 0 && items.Count > options.Limit;
            if (hasMore)
            {
                items.RemoveAt(items.Count - 1);
            }

            return Task.FromResult(new ListResult(items, revision, hasMore));
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

    /// <inheritdoc />
    public Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var prefixBytes = KeyRules.Key(_options, prefix, "prefix");
        cancellationToken.ThrowIfCancellationRequested();
        var reader = RentReader();
        try
        {
            var command = reader.Count;
            command.Parameters[0].Value = prefixBytes;
            command.Parameters[1].Value = KeyRules.PrefixEnd(prefixBytes);
            return Task.FromResult((long)command.ExecuteScalar()!);
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

    private StoreException Unavailable(SqliteException e) =>
        new(StoreError.Unavailable, $"the datastore {Path} failed to read: {e.Message}", e);

    private ReaderConnection RentReader()
    {
        ThrowIfDisposed();
        return _readers.TryTake(out var reader) ? reader : new ReaderConnection(OpenConnection(writer: false));
    }

    private void ReturnReader(ReaderConnection reader)
    {
        if (Volatile.Read(ref _disposed) == 1 || _readers.Count >= MaxIdleReaders)
        {
            reader.Dispose();
            return;
        }

        reader.ClearTransactions();
        _readers.Add(reader);
    }

    /// <summary>A read-only connection with its prepared statements, used by one caller at a time.</summary>
    private sealed class ReaderConnection : IDisposable
    {
        public ReaderConnection(SqliteConnection connection)
        {
            Connection = connection;
            Get = Command(connection, "SELECT k.create_rev, k.mod_rev, l.value FROM kv k JOIN log l ON l.rev = k.mod_rev WHERE k.key = $key", "$key");
            Count = Command(connection, "SELECT count(*) FROM kv WHERE key >= $from AND key < $end", "$from", "$end");
            ListLatest = Command(
                connection,
                "SELECT k.key, k.create_rev, k.mod_rev, l.value FROM kv k JOIN log l ON l.rev = k.mod_rev WHERE k.key >= $from AND k.key < $end ORDER BY k.key LIMIT $limit",
                "$from",
                "$end",
                "$limit");
            // The state at an older revision: for each key, its newest row up to that revision, unless that row is a delete.
            ListAt = Command(
                connection,
                """
                SELECT l.key, l.create_rev, l.rev, l.value FROM log l
                WHERE l.key >= $from AND l.key < $end AND l.rev <= $rev AND l.deleted = 0
                  AND l.rev = (SELECT max(n.rev) FROM log n WHERE n.key = l.key AND n.rev <= $rev)
                ORDER BY l.key LIMIT $limit
                """,
                "$from",
                "$end",
                "$limit",
                "$rev");
            Changes = Command(
                connection,
                """
                SELECT l.rev, l.key, l.deleted, l.create_rev, l.value, p.rev, p.create_rev, p.value FROM log l
                LEFT JOIN log p ON p.rev = l.prev_rev
                WHERE l.rev > $after AND l.rev <= $upto AND l.key >= $from AND l.key < $end
                ORDER BY l.rev LIMIT $limit
                """,
                "$after",
                "$upto",
                "$from",
                "$end",
                "$limit");
        }

        public SqliteConnection Connection { get; }

        public SqliteCommand Get { get; }

        public SqliteCommand Count { get; }

        public SqliteCommand ListLatest { get; }

        public SqliteCommand ListAt { get; }

        public SqliteCommand Changes { get; }

        public void ClearTransactions()
        {
            ListLatest.Transaction = null;
            ListAt.Transaction = null;
            Changes.Transaction = null;
        }

        public void Dispose()
        {
            Get.Dispose();
            Count.Dispose();
            ListLatest.Dispose();
            ListAt.Dispose();
            Changes.Dispose();
            Connection.Dispose();
        }
    }
}
