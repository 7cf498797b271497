using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Client.Informers;

/// <summary>
/// One list+watch of a resource type shared by every controller: keeps an <see cref="Indexer{T}"/> up to date and
/// tells the registered handlers about each change. It relists when the watch fails or the server answers 410 Gone
/// (backoff 200 ms doubling to 30 s), follows bookmarks, re-watches from the last resourceVersion when the server ends
/// a watch normally, and replays the whole cache as updates every resync period. Informers of several components in
/// one process may share one list+watch and cache (<see cref="SharedInformerSources"/>); each keeps its own handlers
/// and resync period.
/// </summary>
/// <typeparam name="T">The object type.</typeparam>
public sealed class SharedInformer<T> : IAsyncDisposable
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly InformerSource<T> _source;
    private readonly TimeProvider _time;
    private readonly TimeSpan _resyncPeriod;
    private readonly ILogger _logger;
    private readonly List<ResourceEventHandler<T>> _handlers = [];
    private CancellationTokenSource? _stop;
    private Task? _resync;
    private bool _disposed;

    /// <summary>Creates an informer with a list+watch of its own; <see cref="Start"/> begins listing.</summary>
    /// <param name="listWatch">How to list and watch.</param>
    /// <param name="resyncPeriod">How often every cached object is replayed as an update; zero for never.</param>
    /// <param name="time">The clock (tests inject a fake one).</param>
    /// <param name="logger">Where failures are logged.</param>
    public SharedInformer(IListWatch<T> listWatch, TimeSpan resyncPeriod, TimeProvider? time = null, ILogger? logger = null)
        : this(new InformerSource<T>(listWatch, time ?? TimeProvider.System, logger), resyncPeriod, time, logger)
    {
    }

    internal SharedInformer(InformerSource<T> source, TimeSpan resyncPeriod, TimeProvider? time, ILogger? logger)
    {
        _source = source;
        _resyncPeriod = resyncPeriod;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        // Hears every change from now on, started or not: a handler registered before Start misses nothing.
        _source.Subscribe(this);
    }

    /// <summary>The local cache; read it, never modify what it returns (other components may share it).</summary>
    public Indexer<T> Store => _source.Store;

    /// <summary>True once the first list has filled the cache.</summary>
    public bool HasSynced => _source.HasSynced;

    /// <summary>The resourceVersion the cache reflects.</summary>
    public string LastSyncResourceVersion => _source.LastSyncResourceVersion;

    /// <summary>Registers handlers; those added after the first list first receive an add for every cached object.</summary>
    public void AddEventHandler(ResourceEventHandler<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_source.Dispatch)
        {
            _handlers.Add(handler);
            foreach (var item in Store.List())
            {
                Call(handler, h => h.OnAdd?.Invoke(item));
            }
        }
    }

    /// <summary>Starts the list+watch loop (once), or joins the one already running for other informers.</summary>
    public void Start()
    {
        lock (_source.Dispatch)
        {
            if (_stop is not null)
            {
                return;
            }

            _stop = new CancellationTokenSource();
        }

        _source.Acquire();
        if (_resyncPeriod > TimeSpan.Zero)
        {
            _resync = Task.Run(() => ResyncAsync(_stop.Token));
        }
    }

    /// <summary>Waits until the first list has filled the cache.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _source.WaitForSyncAsync(cancellationToken);

    /// <summary>Stops telling the handlers; stops the loop unless other informers still use it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_stop is null)
        {
            await _source.UnsubscribeAsync(this, started: false).ConfigureAwait(false);
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _source.UnsubscribeAsync(this, started: true).ConfigureAwait(false);
        if (_resync is not null)
        {
            try
            {
                await _resync.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    // Called by the source with its dispatch lock held.
    internal void Notify(Action<ResourceEventHandler<T>> call)
    {
        foreach (var handler in _handlers)
        {
            Call(handler, call);
        }
    }

    private void Call(ResourceEventHandler<T> handler, Action<ResourceEventHandler<T>> call)
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

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_resyncPeriod, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            lock (_source.Dispatch)
            {
                foreach (var item in Store.List())
                {
                    Notify(h => h.OnUpdate?.Invoke(item, item));
                }
            }
        }
    }
}
