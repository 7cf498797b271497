using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Cetus.Storage.Sqlite;

/// <summary>
/// The embedded datastore: one SQLite file in WAL mode. Like kine, every write appends a row to a log table whose
/// row id is the revision; a second table indexes the current row of each live key. One writer applies queued writes
/// in batches (one transaction and one fsync per batch), then feeds watches in-process; readers use their own connections.
/// </summary>
public sealed partial class SqliteStore : IStore
{
    private const int MaxBatch = 512;
    private const int WatchBufferCapacity = 10_000;

    private readonly StoreOptions _options;
    private readonly string _connectionString;
    private readonly FileStream _lockFile;
    private readonly SqliteConnection _writer;
    private readonly Channel<WriteOp> _writes = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = true });
    private readonly WatchBroadcaster _broadcaster;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writerLoop;
    private readonly Task _maintenanceLoop;
    private long _committedRevision;
    private long _compactRevision;
    private int _disposed;

    private SqliteStore(string path, StoreOptions options, FileStream lockFile)
    {
        _options = options;
        _lockFile = lockFile;
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = false,
            Mode = SqliteOpenMode.ReadWriteCreate,
        }.ToString();

        _writer = OpenConnection(writer: true);
        SqliteSchema.Ensure(_writer);
        (_committedRevision, _compactRevision) = SqliteSchema.ReadRevisions(_writer);
        _broadcaster = new WatchBroadcaster(_committedRevision, WatchBufferCapacity);
        PrepareWriterCommands();
        _writerLoop = Task.Run(WriterLoopAsync);
        _maintenanceLoop = Task.Run(() => MaintenanceLoopAsync(_stopping.Token));
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string KeyPrefix => _options.KeyPrefix;

    /// <summary>
    /// Opens (or creates) the database at <paramref name="path"/>. Only one process may have it open: a second one
    /// gets <see cref="StoreError.Unavailable"/> naming the lock file.
    /// </summary>
    public static SqliteStore Open(string path, StoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new StoreOptions();
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var lockPath = full + ".lock";
        FileStream lockFile;
        try
        {
            // FileShare.None takes an exclusive advisory lock that the kernel drops when the process dies.
            lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StoreException(StoreError.Unavailable, $"the datastore {full} is in use by another process (lock {lockPath}); stop it first", e);
        }

        try
        {
            return new SqliteStore(full, options, lockFile);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(Volatile.Read(ref _committedRevision));

    /// <inheritdoc />
    public Task<long> GetCompactRevisionAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(Volatile.Read(ref _compactRevision));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _writes.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _writerLoop.ConfigureAwait(false);
        try
        {
            await _maintenanceLoop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The maintenance loops end with the store.
        }

        _broadcaster.CloseAll();
        DisposeWriterCommands();
        _writer.Dispose();
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }

        _stopping.Dispose();
        await _lockFile.DisposeAsync();
    }

    private SqliteConnection OpenConnection(bool writer)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // WAL lets readers run beside the writer; synchronous=FULL makes each commit durable before it is acknowledged.
        pragma.CommandText = writer
            ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536;"
            : "PRAGMA busy_timeout=10000; PRAGMA cache_size=-16384; PRAGMA mmap_size=268435456; PRAGMA query_only=1;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
}
