using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Pods;

/// <summary>
/// One worker per pod uid, as Kubernetes' kubelet: updates only record the latest pod and wake the worker; a worker
/// syncs one pod at a time, never two syncs of one pod at once, and picks up the newest state after each sync (changes
/// that arrive during a sync coalesce into one more sync). A failed sync is retried after a backoff (1 s doubling
/// to 30 s). A sync may ask to be repeated later (a container in CrashLoopBackOff): one timer per worker, on the
/// injected clock, wakes it then; a probe result change wakes it at once. A worker ends when its pod is terminated and gone.
/// </summary>
public sealed class PodWorkers
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly PodSync _sync;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Worker> _workers = [];
    private readonly CancellationToken _stopping;

    /// <summary>Creates the workers of one node; they stop when <paramref name="stopping"/> is cancelled.</summary>
    public PodWorkers(PodSync sync, CancellationToken stopping, TimeProvider? time = null, ILogger? logger = null)
    {
        _sync = sync ?? throw new ArgumentNullException(nameof(sync));
        _stopping = stopping;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _sync.Probes.Changed += Requeue;
    }

    /// <summary>The number of pods with a worker.</summary>
    public int Count
    {
        get
        {
            lock (_workers)
            {
                return _workers.Count;
            }
        }
    }

    /// <summary>The pod changed (or appeared): sync it. Quick: safe from an informer handler.</summary>
    public void Update(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        Enqueue(pod.Metadata.Uid, pod, removed: false);
    }

    /// <summary>
    /// The pod changed in a way that needs no sync (its status): the worker keeps the newer pod for its next sync
    /// without waking; a pod with no worker yet is synced as <see cref="Update"/>.
    /// </summary>
    public void Observe(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        lock (_workers)
        {
            if (_workers.TryGetValue(pod.Metadata.Uid, out var worker))
            {
                if (!worker.Removed)
                {
                    worker.Latest = pod;
                }

                return;
            }
        }

        Update(pod);
    }

    /// <summary>The API server no longer has the pod: clean up the runtime and end its worker.</summary>
    public void Remove(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        Enqueue(pod.Metadata.Uid, pod, removed: true);
    }

    /// <summary>Syncs pod <paramref name="uid"/> again (a probe result changed), if it has a worker.</summary>
    public void Requeue(string uid)
    {
        lock (_workers)
        {
            if (_workers.TryGetValue(uid, out var worker) && !worker.Terminated)
            {
                worker.Pending = true;
                worker.Running ??= Task.Run(() => RunAsync(uid, worker));
            }
        }
    }

    /// <summary>Waits until no worker is busy (tests).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task[] running;
            lock (_workers)
            {
                running = [.. _workers.Values.Select(w => w.Running).OfType<Task>()];
            }

            if (running.Length == 0)
            {
                return;
            }

            await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Enqueue(string uid, V1Pod pod, bool removed)
    {
        lock (_workers)
        {
            if (!_workers.TryGetValue(uid, out var worker))
            {
                // A removal of a pod never seen here still cleans the runtime (deleted while the kubelet was down).
                worker = new Worker(pod);
                _workers[uid] = worker;
            }

            worker.Latest = pod;
            worker.Removed |= removed;
            worker.Pending = true;
            worker.Running ??= Task.Run(() => RunAsync(uid, worker));
        }
    }

    private async Task RunAsync(string uid, Worker worker)
    {
        while (true)
        {
            V1Pod pod;
            bool removed;
            lock (_workers)
            {
                if (!worker.Pending || _stopping.IsCancellationRequested)
                {
                    worker.Running = null;
                    return;
                }

                worker.Pending = false;
                pod = worker.Latest;
                removed = worker.Removed;
            }

            try
            {
                if (removed)
                {
                    await _sync.ForgetAsync(uid, _stopping).ConfigureAwait(false);
                    Finish(uid, worker);
                    return;
                }

                if (worker.Terminated)
                {
                    // Already stopped and deleted; only the removal is left to come.
                    continue;
                }

                var outcome = await _sync.SyncPodAsync(pod, _stopping).ConfigureAwait(false);
                worker.Terminated = outcome.Result == PodSyncResult.Terminated;
                worker.Backoff = TimeSpan.Zero;
                if (outcome.ResyncAfter is { } after && !worker.Terminated)
                {
                    Retry(uid, worker, after);
                }
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                // Shutting down: whatever failed was cut short by the stop (a CRI call ends as RpcException Cancelled).
                lock (_workers)
                {
                    worker.Running = null;
                }

                return;
            }
            catch (Exception e)
            {
                worker.Backoff = worker.Backoff == TimeSpan.Zero ? MinBackoff : TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, worker.Backoff.Ticks * 2));
                _logger.LogWarning(e, "sync of pod {Namespace}/{Name} failed; retrying in {Backoff}", pod.Metadata.NamespaceProperty, pod.Metadata.Name, worker.Backoff);
                Retry(uid, worker, worker.Backoff);
            }
        }
    }

    // One timer per worker: a later request replaces the earlier one.
    private void Retry(string uid, Worker worker, TimeSpan after)
    {
        ITimer? timer = null;
        timer = _time.CreateTimer(
            _ =>
            {
                lock (_workers)
                {
                    if (ReferenceEquals(worker.Timer, timer))
                    {
                        worker.Timer = null;
                    }

                    timer?.Dispose();
                    if (_workers.TryGetValue(uid, out var current) && ReferenceEquals(current, worker))
                    {
                        worker.Pending = true;
                        worker.Running ??= Task.Run(() => RunAsync(uid, worker));
                    }
                }
            },
            null,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        lock (_workers)
        {
            worker.Timer?.Dispose();
            worker.Timer = timer;
        }

        timer.Change(after, Timeout.InfiniteTimeSpan);
    }

    private void Finish(string uid, Worker worker)
    {
        lock (_workers)
        {
            worker.Running = null;
            worker.Timer?.Dispose();
            worker.Timer = null;
            if (_workers.TryGetValue(uid, out var current) && ReferenceEquals(current, worker))
            {
                _workers.Remove(uid);
            }
        }
    }

    private sealed class Worker(V1Pod pod)
    {
        public V1Pod Latest { get; set; } = pod;

        public bool Pending { get; set; }

        public bool Removed { get; set; }

        public bool Terminated { get; set; }

        public TimeSpan Backoff { get; set; }

        public ITimer? Timer { get; set; }

        public Task? Running { get; set; }
    }
}
