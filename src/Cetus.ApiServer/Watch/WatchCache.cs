using System.Threading.Channels;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Registry;
using Cetus.Storage;
using Microsoft.Extensions.Logging;

namespace Cetus.ApiServer.Watch;

/// <summary>
/// The API server's view of every object, fed by one datastore watch on <c>/registry/</c>, so that watchers and
/// cached lists never each reach the datastore (kube-apiserver's cacher). It keeps the current objects of each
/// resource and a window of recent changes from which watches start.
/// </summary>
public sealed partial class WatchCache : IAsyncDisposable
{
    private const int WindowCapacity = 50_000;
    private const int WatcherBuffer = 10_000;

    private readonly IStore _store;
    private readonly RecentWrites _recent;
    private readonly ResourceRegistry _registry;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<ResourceDefinition, SortedDictionary<string, StoredObject>> _objects = [];
    private readonly CacheEvent?[] _window = new CacheEvent?[WindowCapacity];
    private readonly List<CacheWatcher> _watchers = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(long Revision, TaskCompletionSource Done)> _waiters = [];
    private long _windowStart;
    private long _windowCount;
    private long _revision;
    private long _oldestRevision;
    private Task _feed = Task.CompletedTask;
    private int _disposed;

    /// <summary>Creates an empty cache; <see cref="StartAsync"/> fills it.</summary>
    public WatchCache(IStore store, ResourceRegistry registry, RecentWrites recent, ILogger<WatchCache> logger)
    {
        _store = store;
        _recent = recent;
        _registry = registry;
        _logger = logger;
        foreach (var definition in registry.All.Where(d => d.Storage is null))
        {
            _objects[definition] = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
        }
    }

    /// <summary>The revision the cache is up to date with.</summary>
    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>Lists everything once, then follows the datastore's changes.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var revision = await LoadAsync(cancellationToken).ConfigureAwait(false);
        _feed = Task.Run(() => FollowAsync(revision, _stopping.Token), CancellationToken.None);
    }

    /// <summary>The objects of a resource (in one namespace, or all), in key order, and the revision they are current at.</summary>
    public (List<StoredObject> Items, long Revision) List(ResourceDefinition definition, string ns)
    {
        var prefix = StorageKeys.Prefix(definition, ns);
        List<StoredObject> items;
        long revision;
        lock (_gate)
        {
            var all = _objects[definition.Stored];
            items = ns.Length == 0 || !definition.Namespaced
                ? all.Values.ToList()
                : all.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p.Value).ToList();
            revision = _revision;
        }

        return (definition.Storage is null ? items : items.ConvertAll(item => item.As(definition)), revision);
    }

    /// <summary>One object from the cache, if present.</summary>
    public StoredObject? Get(ResourceDefinition definition, string key)
    {
        StoredObject? found;
        lock (_gate)
        {
            found = _objects[definition.Stored].GetValueOrDefault(key);
        }

        return found?.As(definition);
    }

    /// <summary>
    /// Waits until the cache has applied every change up to <paramref name="revision"/>, for at most 3 s; false when
    /// it has not caught up by then (the caller reads the datastore, or serves what the cache has).
    /// </summary>
    public async Task<bool> WaitUntilFreshAsync(long revision, CancellationToken cancellationToken)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            if (_revision >= revision)
            {
                return true;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((revision, done));
        }

        // A revision may belong to a write outside /registry/ (etcd's compaction record): never wait for ever.
        try
        {
            await done.Task.WaitAsync(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            LogStale(revision);
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        try
        {
            await _feed.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Channel.Writer.TryComplete();
            }
        }

        _stopping.Dispose();
    }

    private async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        var page = await _store.ListAsync("/registry/", new ListOptions { Limit = 10_000 }, cancellationToken).ConfigureAwait(false);
        var revision = page.Revision;
        while (true)
        {
            lock (_gate)
            {
                foreach (var kv in page.Items)
                {
                    if (Resolve(kv.Key) is { } definition)
                    {
                        _objects[definition][kv.Key] = StoredObject.Decode(definition, kv.Key, kv.Value, kv.ModRevision);
                    }
                }
            }

            if (!page.HasMore)
            {
                break;
            }

            page = await _store.ListAsync("/registry/", new ListOptions { Limit = 10_000, ContinueAfterKey = page.Items[^1].Key, Revision = revision }, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            _revision = revision;
            _oldestRevision = revision;
        }

        // Writes up to the listed revision were decoded from the list: their records would never be taken.
        _recent.Passing(revision);
        _recent.Clear();
        return revision;
    }

    private async Task FollowAsync(long revision, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in _store.WatchAsync("/registry/", revision, cancellationToken).ConfigureAwait(false))
                {
                    Apply(change);
                    revision = change.Revision;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreException e) when (e.Error == StoreError.Compacted)
            {
                // Fell behind the datastore's history: start over from a fresh list; watchers must relist (410).
                LogRelist(e.Message);
                revision = await ReloadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (StoreException e)
            {
                LogFeedFailed(e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<long> ReloadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var objects in _objects.Values)
            {
                objects.Clear();
            }

            foreach (var watcher in _watchers)
            {
                watcher.Expire();
            }

            _watchers.Clear();
            Array.Clear(_window);
            _windowCount = 0;
        }

        return await LoadAsync(cancellationToken).ConfigureAwait(false);
    }

    private ResourceDefinition? Resolve(string key)
    {
        foreach (var definition in _registry.All)
        {
            if (definition.Storage is null && key.StartsWith(definition.StoragePrefix, StringComparison.Ordinal))
            {
                return definition;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the watch cache is behind revision {Revision} after 3 s")]
    private partial void LogStale(long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the watch cache fell behind the datastore's history ({Reason}); reloading")]
    private partial void LogRelist(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the datastore watch failed ({Reason}); retrying")]
    private partial void LogFeedFailed(string reason);
}
