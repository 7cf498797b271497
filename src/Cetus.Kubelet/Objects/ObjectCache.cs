using Cetus.Client.Informers;
using Cetus.Kubelet.Pods;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cetus.Kubelet.Objects;

/// <summary>
/// A cache of single objects of one type, each kept by its own list+watch (fieldSelector metadata.name=NAME in its
/// namespace), as upstream's watch-based objectCache (pkg/kubelet/util/manager): <see cref="AddReference"/> starts the
/// watch of an object on its first reference, <see cref="DeleteReference"/> stops it with the last. A read waits (at
/// most <see cref="SyncWait"/>) for the first list, then answers from memory: null when the object does not exist. An
/// immutable object, once read, is kept and its watch stopped (it cannot change). A watch not read for
/// <see cref="MaxIdleTime"/> is stopped by <see cref="RecycleIdle"/> (upstream's startRecycleIdleWatch) and started
/// again, with a fresh list, by the next read. After the first list every change (created, updated, deleted, or
/// changed while a failed watch relisted) calls <c>changed(namespace, name)</c>. Thread-safe.
/// </summary>
/// <typeparam name="T">The object type (V1ConfigMap, V1Secret).</typeparam>
internal sealed class ObjectCache<T>(string resource, Func<string, string, IListWatch<T>> listWatch, Func<T, bool> isImmutable, Action<string, string> changed, TimeProvider time, ILogger logger)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>How long a read waits for an object's first list (upstream: 1 s) before it fails.</summary>
    public static readonly TimeSpan SyncWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a watch may go unread before it is stopped: upstream's 5 × the kubelet's resync interval (1 minute),
    /// since a mounted object is read at every periodic sync of its pod.
    /// </summary>
    public static readonly TimeSpan MaxIdleTime = TimeSpan.FromMinutes(5);

    private readonly Dictionary<(string Namespace, string Name), Item> _items = [];

    /// <summary>The number of objects referenced (watched or kept as immutable).</summary>
    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>The number of running watches.</summary>
    public int Watching
    {
        get
        {
            lock (_items)
            {
                return _items.Values.Count(i => i.Informer is not null);
            }
        }
    }

    /// <summary>One more reference to the object; the first starts its watch.</summary>
    public void AddReference(string ns, string name)
    {
        lock (_items)
        {
            if (!_items.TryGetValue((ns, name), out var item))
            {
                _items[(ns, name)] = item = new Item(Start(ns, name)) { LastAccess = time.GetUtcNow() };
            }

            item.References++;
        }
    }

    /// <summary>One reference less; the last stops the object's watch and forgets it.</summary>
    public void DeleteReference(string ns, string name)
    {
        Item? stopped = null;
        lock (_items)
        {
            if (_items.TryGetValue((ns, name), out var item) && --item.References <= 0)
            {
                _items.Remove((ns, name));
                stopped = item;
            }
        }

        if (stopped is not null)
        {
            _ = StopAsync(stopped.Informer);
        }
    }

    /// <summary>
    /// The object as last seen: <c>Registered</c> false when nothing references it (the caller reads it otherwise),
    /// <c>Value</c> null when it does not exist. A <see cref="ContainerConfigException"/> when the first list has not
    /// come in time (upstream's "failed to sync … cache"); the pods referencing it are woken once it has.
    /// </summary>
    public async Task<(bool Registered, T? Value)> GetAsync(string ns, string name, CancellationToken cancellationToken)
    {
        Item? item;
        SharedInformer<T>? informer;
        lock (_items)
        {
            if (!_items.TryGetValue((ns, name), out item))
            {
                return (false, null);
            }

            if (item.Frozen is { } frozen)
            {
                return (true, frozen);
            }

            item.LastAccess = time.GetUtcNow();
            if (item.Informer is null)
            {
                // Stopped while idle: watch again, from a fresh list (as upstream's restartReflectorIfNeeded).
                item.Informer = Start(ns, name);
                logger.LogDebug("{Resource} {Namespace}/{Name} is read again: watching it again", resource, ns, name);
            }

            informer = item.Informer;
        }

        if (!informer.HasSynced)
        {
            try
            {
                await informer.WaitForSyncAsync(cancellationToken).WaitAsync(SyncWait, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                lock (_items)
                {
                    item.Missed = true;
                }

                throw new ContainerConfigException($"failed to sync {resource} cache: timed out waiting for the condition");
            }
        }

        var value = informer.Store.Get(ns, name);
        if (value is not null && isImmutable(value))
        {
            lock (_items)
            {
                if (item.Informer == informer)
                {
                    // Immutable: it can only be deleted, never changed; keep it and stop watching (as upstream).
                    item.Frozen = value;
                    item.Informer = null;
                    _ = StopAsync(informer);
                    logger.LogDebug("{Resource} {Namespace}/{Name} is immutable: no longer watched", resource, ns, name);
                }
            }
        }

        return (true, value);
    }

    /// <summary>
    /// Stops the watches that have listed and were not read for <see cref="MaxIdleTime"/> (the objects stay
    /// referenced; the next read watches again); returns how many were stopped.
    /// </summary>
    public int RecycleIdle()
    {
        var now = time.GetUtcNow();
        var stopped = new List<SharedInformer<T>>();
        lock (_items)
        {
            foreach (var ((ns, name), item) in _items)
            {
                // A watch still waiting for its first list is left alone: stopping it would waste that list.
                if (item.Informer is { HasSynced: true } informer && now - item.LastAccess > MaxIdleTime)
                {
                    item.Informer = null;
                    stopped.Add(informer);
                    logger.LogDebug("{Resource} {Namespace}/{Name} not read for {Idle}: no longer watched", resource, ns, name, MaxIdleTime);
                }
            }
        }

        foreach (var informer in stopped)
        {
            _ = StopAsync(informer);
        }

        return stopped.Count;
    }

    /// <summary>Stops every watch.</summary>
    public async Task StopAllAsync()
    {
        List<SharedInformer<T>?> informers;
        lock (_items)
        {
            informers = [.. _items.Values.Select(i => i.Informer)];
            _items.Clear();
        }

        foreach (var informer in informers)
        {
            await StopAsync(informer).ConfigureAwait(false);
        }
    }

    private SharedInformer<T> Start(string ns, string name)
    {
        var informer = new SharedInformer<T>(listWatch(ns, name), TimeSpan.Zero, time, logger);
        void Changed()
        {
            // The first list only fills the cache (the pods read it as they sync); a read that gave up waiting for it
            // is answered by the continuation below.
            if (informer.HasSynced)
            {
                changed(ns, name);
            }
        }

        informer.AddEventHandler(new ResourceEventHandler<T>
        {
            OnAdd = _ => Changed(),
            OnUpdate = (old, current) =>
            {
                if (old.Metadata?.ResourceVersion != current.Metadata?.ResourceVersion)
                {
                    Changed();
                }
            },
            OnDelete = _ => Changed(),
        });
        informer.Start();
        _ = informer.WaitForSyncAsync(CancellationToken.None).ContinueWith(
            _ =>
            {
                bool missed;
                lock (_items)
                {
                    missed = _items.TryGetValue((ns, name), out var item) && item.Missed;
                }

                if (missed)
                {
                    changed(ns, name);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
        return informer;
    }

    private async Task StopAsync(SharedInformer<T>? informer)
    {
        if (informer is null)
        {
            return;
        }

        try
        {
            await informer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "stopping a {Resource} watch failed", resource);
        }
    }

    private sealed class Item(SharedInformer<T> informer)
    {
        // Null when the object is immutable (Frozen) or its watch was stopped while idle.
        public SharedInformer<T>? Informer { get; set; } = informer;

        public DateTimeOffset LastAccess { get; set; }

        public T? Frozen { get; set; }

        public int References { get; set; }

        // A read gave up waiting for the first list: the pods are woken when it comes.
        public bool Missed { get; set; }
    }
}
