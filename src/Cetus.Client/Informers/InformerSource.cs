using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Client.Informers;

/// <summary>
/// The list+watch loop and the cache behind one or more <see cref="SharedInformer{T}"/>s: it tells each of them
/// about every change, one event at a time, and runs while at least one of them is started. When the last started one
/// stops, the loop stops and the cache is dropped; the next informer to start lists again.
/// </summary>
/// <typeparam name="T">The object type.</typeparam>
internal sealed class InformerSource<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly IListWatch<T> _listWatch;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<SharedInformer<T>> _subscribers = [];
    private TaskCompletionSource _synced = NewSynced();
    private CancellationTokenSource? _stop;
    private Task _running = Task.CompletedTask;
    private int _started;

    public InformerSource(IListWatch<T> listWatch, TimeProvider time, ILogger? logger)
    {
        _listWatch = listWatch ?? throw new ArgumentNullException(nameof(listWatch));
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Held while the cache changes and its informers' handlers run; they see one event at a time.</summary>
    public Lock Dispatch { get; } = new();

    public Indexer<T> Store { get; } = new();

    public bool HasSynced
    {
        get
        {
            lock (Dispatch)
            {
                return _synced.Task.IsCompleted;
            }
        }
    }

    public string LastSyncResourceVersion { get; private set; } = string.Empty;

    public Task WaitForSyncAsync(CancellationToken cancellationToken)
    {
        lock (Dispatch)
        {
            return _synced.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Tells <paramref name="informer"/> about every change from now on (its handlers get the cache's objects as they register).</summary>
    public void Subscribe(SharedInformer<T> informer)
    {
        lock (Dispatch)
        {
            _subscribers.Add(informer);
        }
    }

    /// <summary>One more started informer: starts the loop if it is the first.</summary>
    public void Acquire()
    {
        lock (Dispatch)
        {
            if (_started++ > 0)
            {
                return;
            }

            _stop = new CancellationTokenSource();
            var previous = _running;
            var token = _stop.Token;
            // A loop being stopped finishes first: two never run at once.
            _running = Task.Run(async () =>
            {
                await previous.ConfigureAwait(false);
                await RunAsync(token).ConfigureAwait(false);
            });
        }
    }

    /// <summary>
    /// Stops telling <paramref name="informer"/>; when it was the last started one, stops the loop and drops the
    /// cache.
    /// </summary>
    public async Task UnsubscribeAsync(SharedInformer<T> informer, bool started)
    {
        Task running;
        CancellationTokenSource stop;
        lock (Dispatch)
        {
            _subscribers.Remove(informer);
            if (!started || --_started > 0 || _stop is null)
            {
                return;
            }

            stop = _stop;
            _stop = null;
            _running = running = StopAsync(_running);
        }

        // Outside the lock: the loop's continuations may run on this thread as the token is cancelled.
        await stop.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        stop.Dispose();
    }

    // After the loop ends: drop the cache unless an informer started again meanwhile (then its relist diffs against
    // what the cache holds, as after a broken watch). Informers created but not started hear of the drop as
    // deletions, so that their handlers never hold what the cache no longer does.
    private async Task StopAsync(Task loop)
    {
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        lock (Dispatch)
        {
            if (_started == 0)
            {
                foreach (var gone in Store.Replace([]).Removed)
                {
                    Each(h => h.OnDelete?.Invoke(new DeletedObject<T>(gone, FinalStateUnknown: true)));
                }

                LastSyncResourceVersion = string.Empty;
                _synced = NewSynced();
            }
        }
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
            try
            {
                await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

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
        lock (Dispatch)
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

            _synced.TrySetResult();
        }
    }

    private void Apply(T item)
    {
        lock (Dispatch)
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
        lock (Dispatch)
        {
            // The handlers get the object's final state, as the DELETED event carries it (client-go does the same).
            Store.Remove(ObjectKeys.Of(item));
            LastSyncResourceVersion = item.Metadata?.ResourceVersion ?? LastSyncResourceVersion;
            Each(h => h.OnDelete?.Invoke(new DeletedObject<T>(item, FinalStateUnknown: false)));
        }
    }

    private void Each(Action<ResourceEventHandler<T>> call)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Notify(call);
        }
    }

    private static TaskCompletionSource NewSynced() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
