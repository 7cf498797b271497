using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Client.Informers;

/// <summary>
/// One list+watch of a resource type shared by every controller: keeps an <see cref="Indexer{T}"/> up to date and
/// tells the registered handlers about each change. It relists when the watch fails or the server answers 410 Gone
/// (backoff 200 ms doubling to 30 s), follows bookmarks, re-watches from the last resourceVersion when the server ends
/// a watch normally, and replays the whole cache as updates every resync period.
/// </summary>
/// <typeparam name="T">The object type.</typeparam>
public sealed class SharedInformer<T> : IAsyncDisposable
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly IListWatch<T> _listWatch;
    private readonly TimeProvider _time;
    private readonly TimeSpan _resyncPeriod;
    private readonly ILogger _logger;
    private readonly List<ResourceEventHandler<T>> _handlers = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _dispatch = new();
    private CancellationTokenSource? _stop;
    private Task? _loop;
    private Task? _resync;

    /// <summary>Creates an informer; <see cref="Start"/> begins listing.</summary>
    /// <param name="listWatch">How to list and watch.</param>
    /// <param name="resyncPeriod">How often every cached object is replayed as an update; zero for never.</param>
    /// <param name="time">The clock (tests inject a fake one).</param>
    /// <param name="logger">Where failures are logged.</param>
    public SharedInformer(IListWatch<T> listWatch, TimeSpan resyncPeriod, TimeProvider? time = null, ILogger? logger = null)
    {
        _listWatch = listWatch ?? throw new ArgumentNullException(nameof(listWatch));
        _resyncPeriod = resyncPeriod;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The local cache; read it, never modify what it returns.</summary>
    public Indexer<T> Store { get; } = new();

    /// <summary>True once the first list has filled the cache.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The resourceVersion the cache reflects.</summary>
    public string LastSyncResourceVersion { get; private set; } = string.Empty;

    /// <summary>Registers handlers; those added after the first list first receive an add for every cached object.</summary>
    public void AddEventHandler(ResourceEventHandler<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_dispatch)
        {
            _handlers.Add(handler);
            foreach (var item in Store.List())
            {
                handler.OnAdd?.Invoke(item);
            }
        }
    }

    /// <summary>Starts the list+watch loop (once).</summary>
    public void Start()
    {
        if (_stop is not null)
        {
            return;
        }

        _stop = new CancellationTokenSource();
        _loop = Task.Run(() => RunAsync(_stop.Token));
        if (_resyncPeriod > TimeSpan.Zero)
        {
            _resync = Task.Run(() => ResyncAsync(_stop.Token));
        }
    }

    /// <summary>Waits until the first list has filled the cache.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Stops the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop is null)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var task in new[] { _loop, _resync })
        {
            if (task is not null)
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = MinBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var (items, resourceVersion) = await _listWatch.ListAsync(cancellationToken).ConfigureAwait(false);
                ReplaceAll(items, resourceVersion);
                backoff = MinBackoff;
                while (await WatchOnceAsync(cancellationToken).ConfigureAwait(false))
                {
                    // The server closed the watch normally: carry on from the last resourceVersion without a relist.
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning("informer {Type}: list or watch failed, relisting in {Backoff}: {Error}", typeof(T).Name, backoff, e.Message);
            }

            // A failed watch or 410 Gone: relist after a backoff.
            await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    // True when the watch ended normally (re-watch); false when it failed (relist).
    private async Task<bool> WatchOnceAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(300 + Random.Shared.Next(300));
        await foreach (var (type, item) in _listWatch.WatchAsync(LastSyncResourceVersion, timeout, cancellationToken).ConfigureAwait(false))
        {
            switch (type)
            {
                case WatchEventType.Error:
                    return false;
                case WatchEventType.Bookmark:
                    LastSyncResourceVersion = item?.Metadata?.ResourceVersion ?? LastSyncResourceVersion;
                    break;
                case WatchEventType.Added or WatchEventType.Modified when item is not null:
                    Apply(item);
                    break;
                case WatchEventType.Deleted when item is not null:
                    Delete(item);
                    break;
            }
        }

        return true;
    }

    private void ReplaceAll(IReadOnlyList<T> items, string resourceVersion)
    {
        lock (_dispatch)
        {
            var (removed, upserted) = Store.Replace(items);
            LastSyncResourceVersion = resourceVersion;
            foreach (var gone in removed)
            {
                Each(h => h.OnDelete?.Invoke(new DeletedObject<T>(gone, FinalStateUnknown: true)));
            }

            foreach (var (old, item) in upserted)
            {
                if (old is null)
                {
                    Each(h => h.OnAdd?.Invoke(item));
                }
                else
                {
                    Each(h => h.OnUpdate?.Invoke(old, item));
                }
            }
        }

        _synced.TrySetResult();
    }

    private void Apply(T item)
    {
        lock (_dispatch)
        {
            var old = Store.Upsert(item);
            LastSyncResourceVersion = item.Metadata?.ResourceVersion ?? LastSyncResourceVersion;
            if (old is null)
            {
                Each(h => h.OnAdd?.Invoke(item));
            }
            else
            {
                Each(h => h.OnUpdate?.Invoke(old, item));
            }
        }
    }

    private void Delete(T item)
    {
        lock (_dispatch)
        {
            // The handlers get the object's final state, as the DELETED event carries it (client-go does the same).
            Store.Remove(ObjectKeys.Of(item));
            LastSyncResourceVersion = item.Metadata?.ResourceVersion ?? LastSyncResourceVersion;
            Each(h => h.OnDelete?.Invoke(new DeletedObject<T>(item, FinalStateUnknown: false)));
        }
    }

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_resyncPeriod, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            lock (_dispatch)
            {
                foreach (var item in Store.List())
                {
                    Each(h => h.OnUpdate?.Invoke(item, item));
                }
            }
        }
    }

    private void Each(Action<ResourceEventHandler<T>> call)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                call(handler);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "informer {Type}: a handler failed", typeof(T).Name);
            }
        }
    }
}
