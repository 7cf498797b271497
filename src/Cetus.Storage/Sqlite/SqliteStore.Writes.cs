using Microsoft.Data.Sqlite;

namespace Cetus.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private SqliteCommand _selectCurrent = null!;
    private SqliteCommand _insertLog = null!;
    private SqliteCommand _insertKv = null!;
    private SqliteCommand _updateKv = null!;
    private SqliteCommand _deleteKv = null!;

    private enum WriteKind
    {
        Create,
        Update,
        Delete,
        Maintenance,
    }

    /// <inheritdoc />
    public Task<WriteResult> CreateAsync(string key, byte[] value, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyRules.Key(_options, key);
        KeyRules.Value(_options, value);
        KeyRules.Write(options);
        return EnqueueAsync(new WriteOp(WriteKind.Create, key, keyBytes, value, 0, ExpiresAt(options), cancellationToken));
    }

    /// <inheritdoc />
    public Task<WriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyRules.Key(_options, key);
        KeyRules.Value(_options, value);
        KeyRules.ExpectedRevision(expectedModRevision);
        KeyRules.Write(options);
        return EnqueueAsync(new WriteOp(WriteKind.Update, key, keyBytes, value, expectedModRevision, ExpiresAt(options), cancellationToken));
    }

    /// <inheritdoc />
    public Task<WriteResult> DeleteAsync(string key, long? expectedModRevision = null, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyRules.Key(_options, key);
        if (expectedModRevision is { } expected)
        {
            KeyRules.ExpectedRevision(expected);
        }

        return EnqueueAsync(new WriteOp(WriteKind.Delete, key, keyBytes, null, expectedModRevision ?? 0, null, cancellationToken));
    }

    private long? ExpiresAt(WriteOptions? options) =>
        options?.TimeToLive is { } ttl ? (_options.TimeProvider.GetUtcNow() + ttl).ToUnixTimeMilliseconds() : null;

    private Task<WriteResult> EnqueueAsync(WriteOp op)
    {
        ThrowIfDisposed();
        if (!_writes.Writer.TryWrite(op))
        {
            throw new ObjectDisposedException(nameof(SqliteStore));
        }

        return op.CancellationToken.CanBeCanceled ? op.Done.Task.WaitAsync(op.CancellationToken) : op.Done.Task;
    }

    private async Task WriterLoopAsync()
    {
        var batch = new List<WriteOp>(MaxBatch);
        var reader = _writes.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var op))
            {
                if (op.Kind == WriteKind.Maintenance)
                {
                    // Maintenance runs in a transaction of its own, after the writes queued before it.
                    ExecuteBatch(batch);
                    batch.Clear();
                    RunMaintenance(op);
                    continue;
                }

                if (op.CancellationToken.IsCancellationRequested)
                {
                    // The caller gave up before the write began: it never happens.
                    op.Done.TrySetCanceled(op.CancellationToken);
                    continue;
                }

                batch.Add(op);
            }

            ExecuteBatch(batch);
            batch.Clear();
        }
    }

    /// <summary>Applies queued writes in one transaction; each gets the next revision; watches see them after the commit.</summary>
    private void ExecuteBatch(List<WriteOp> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var results = new WriteResult[batch.Count];
        var events = new List<WatchEvent>(batch.Count);
        var revision = _committedRevision;
        try
        {
            using (var transaction = _writer.BeginTransaction())
            {
                SetTransaction(transaction);
                for (var i = 0; i < batch.Count; i++)
                {
                    results[i] = Apply(batch[i], ref revision, events);
                }

                transaction.Commit();
            }
        }
        catch (Exception e) when (e is SqliteException or IOException)
        {
            var failure = new StoreException(StoreError.Unavailable, $"the datastore {Path} failed to write: {e.Message}", e);
            foreach (var op in batch)
            {
                op.Done.TrySetException(failure);
            }

            return;
        }

        Volatile.Write(ref _committedRevision, revision);
        if (events.Count > 0)
        {
            _broadcaster.Publish(events, revision);
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(results[i]);
        }
    }

    private WriteResult Apply(WriteOp op, ref long revision, List<WatchEvent> events)
    {
        var current = ReadCurrent(op.KeyText, op.Key);
        switch (op.Kind)
        {
            case WriteKind.Create:
                if (current is not null)
                {
                    return new WriteResult(WriteStatus.AlreadyExists, current, revision);
                }

                revision++;
                InsertLog(revision, op.Key, deleted: false, createRevision: revision, previousRevision: 0, op.Value);
                Execute(_insertKv, op.Key, revision, revision, op.ExpiresAt);
                var created = new KeyValue(op.KeyText, op.Value!, revision, revision);
                events.Add(new WatchEvent(WatchEventType.Put, created, null));
                return new WriteResult(WriteStatus.Succeeded, created, revision);

            case WriteKind.Update:
                if (current is null)
                {
                    return new WriteResult(WriteStatus.NotFound, null, revision);
                }

                if (current.ModRevision != op.ExpectedRevision)
                {
                    return new WriteResult(WriteStatus.Conflict, current, revision);
                }

                revision++;
                InsertLog(revision, op.Key, deleted: false, current.CreateRevision, current.ModRevision, op.Value);
                Execute(_updateKv, op.Key, current.CreateRevision, revision, op.ExpiresAt);
                var updated = new KeyValue(op.KeyText, op.Value!, current.CreateRevision, revision);
                events.Add(new WatchEvent(WatchEventType.Put, updated, current));
                return new WriteResult(WriteStatus.Succeeded, updated, revision);

            default:
                if (current is null)
                {
                    return new WriteResult(WriteStatus.NotFound, null, revision);
                }

                if (op.ExpectedRevision != 0 && current.ModRevision != op.ExpectedRevision)
                {
                    return new WriteResult(WriteStatus.Conflict, current, revision);
                }

                revision++;
                InsertLog(revision, op.Key, deleted: true, current.CreateRevision, current.ModRevision, null);
                _deleteKv.Parameters[0].Value = op.Key;
                _deleteKv.ExecuteNonQuery();
                events.Add(new WatchEvent(WatchEventType.Delete, new KeyValue(op.KeyText, [], 0, revision), current));
                return new WriteResult(WriteStatus.Succeeded, current, revision);
        }
    }

    private KeyValue? ReadCurrent(string keyText, byte[] key)
    {
        _selectCurrent.Parameters[0].Value = key;
        using var reader = _selectCurrent.ExecuteReader();
        return reader.Read() ? new KeyValue(keyText, (byte[])reader.GetValue(2), reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    private void InsertLog(long revision, byte[] key, bool deleted, long createRevision, long previousRevision, byte[]? value)
    {
        var p = _insertLog.Parameters;
        p[0].Value = revision;
        p[1].Value = key;
        p[2].Value = deleted ? 1 : 0;
        p[3].Value = createRevision;
        p[4].Value = previousRevision;
        p[5].Value = (object?)value ?? DBNull.Value;
        _insertLog.ExecuteNonQuery();
    }

    private static void Execute(SqliteCommand command, byte[] key, long createRevision, long modRevision, long? expiresAt)
    {
        var p = command.Parameters;
        p[0].Value = key;
        p[1].Value = createRevision;
        p[2].Value = modRevision;
        p[3].Value = (object?)expiresAt ?? DBNull.Value;
        command.ExecuteNonQuery();
    }

    private void SetTransaction(SqliteTransaction transaction)
    {
        _selectCurrent.Transaction = transaction;
        _insertLog.Transaction = transaction;
        _insertKv.Transaction = transaction;
        _updateKv.Transaction = transaction;
        _deleteKv.Transaction = transaction;
    }

    private void PrepareWriterCommands()
    {
        _selectCurrent = Command(_writer, "SELECT k.create_rev, k.mod_rev, l.value FROM kv k JOIN log l ON l.rev = k.mod_rev WHERE k.key = $key", "$key");
        _insertLog = Command(_writer, "INSERT INTO log (rev, key, deleted, create_rev, prev_rev, value) VALUES ($rev, $key, $deleted, $create, $prev, $value)", "$rev", "$key", "$deleted", "$create", "$prev", "$value");
        _insertKv = Command(_writer, "INSERT INTO kv (key, create_rev, mod_rev, expires_at) VALUES ($key, $create, $mod, $expires)", "$key", "$create", "$mod", "$expires");
        _updateKv = Command(_writer, "UPDATE kv SET create_rev = $create, mod_rev = $mod, expires_at = $expires WHERE key = $key", "$key", "$create", "$mod", "$expires");
        _deleteKv = Command(_writer, "DELETE FROM kv WHERE key = $key", "$key");
    }

    private void DisposeWriterCommands()
    {
        _selectCurrent.Dispose();
        _insertLog.Dispose();
        _insertKv.Dispose();
        _updateKv.Dispose();
        _deleteKv.Dispose();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    /// <summary>A queued write, or a maintenance step that must run on the writer connection.</summary>
    private sealed class WriteOp(WriteKind kind, string keyText, byte[] key, byte[]? value, long expectedRevision, long? expiresAt, CancellationToken cancellationToken)
    {
        public WriteKind Kind { get; } = kind;

        public string KeyText { get; } = keyText;

        public byte[] Key { get; } = key;

        public byte[]? Value { get; } = value;

        public long ExpectedRevision { get; } = expectedRevision;

        public long? ExpiresAt { get; } = expiresAt;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public Action<SqliteConnection>? Maintenance { get; init; }

        public TaskCompletionSource<WriteResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
