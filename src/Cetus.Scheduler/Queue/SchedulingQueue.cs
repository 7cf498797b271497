using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler.Queue;

/// <summary>
/// The scheduling queue (upstream PriorityQueue): pods ready to try sit in activeQ, ordered by the profile's
/// QueueSort (priority, then time); pods that failed wait out a backoff in backoffQ (1 s doubling to 10 s); pods that
/// fit no node wait in the unschedulable set until a cluster event that one of their rejecting plugins cares about,
/// or five minutes at most. PreEnqueue plugins (scheduling gates) keep pods out of activeQ.
/// </summary>
internal sealed class SchedulingQueue
{
    /// <summary>The backoff of a pod's first failure; it doubles with each failure.</summary>
    public static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>The longest a pod stays unschedulable without an event moving it.</summary>
    public static readonly TimeSpan MaxUnschedulableDuration = TimeSpan.FromMinutes(5);

    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly Func<V1Pod, IReadOnlyList<IPreEnqueuePlugin>> _preEnqueue;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<ClusterEvent>> _pluginEvents;
    private readonly SortedSet<QueuedPodInfo> _active;
    private readonly SortedSet<QueuedPodInfo> _backoff;
    private readonly Dictionary<string, QueuedPodInfo> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedPodInfo> _unschedulable = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _schedulingCycle;
    private long _moveRequestCycle = -1;
    private bool _closed;

    /// <summary>Creates a queue ordered by <paramref name="less"/>.</summary>
    /// <param name="less">The QueueSort plugin's order.</param>
    /// <param name="preEnqueue">The PreEnqueue plugins of the pod's profile.</param>
    /// <param name="pluginEvents">For each plugin, the events after which a pod it rejected may fit.</param>
    /// <param name="time">The clock.</param>
    /// <param name="nominator">The nominated pods, kept in step with the pods the queue sees (a new one by default).</param>
    public SchedulingQueue(Func<QueuedPodInfo, QueuedPodInfo, bool> less, Func<V1Pod, IReadOnlyList<IPreEnqueuePlugin>> preEnqueue, IReadOnlyDictionary<string, IReadOnlyList<ClusterEvent>> pluginEvents, TimeProvider time, Nominator? nominator = null)
    {
        _time = time;
        Nominator = nominator ?? new Nominator();
        _preEnqueue = preEnqueue;
        _pluginEvents = pluginEvents;
        _active = new SortedSet<QueuedPodInfo>(Comparer<QueuedPodInfo>.Create((a, b) =>
            less(a, b) ? -1 : less(b, a) ? 1 : string.CompareOrdinal(a.Key, b.Key)));
        _backoff = new SortedSet<QueuedPodInfo>(Comparer<QueuedPodInfo>.Create((a, b) =>
        {
            var c = BackoffExpiry(a).CompareTo(BackoffExpiry(b));
            return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
        }));
    }

    /// <summary>The pods nominated to nodes (by preemption, or by their status.nominatedNodeName).</summary>
    public Nominator Nominator { get; }

    /// <summary>The number of the current scheduling cycle (one per pop).</summary>
    public long SchedulingCycle
    {
        get
        {
            lock (_lock)
            {
                return _schedulingCycle;
            }
        }
    }

    /// <summary>The pods in each part of the queue, for tests and metrics.</summary>
    public (int Active, int Backoff, int Unschedulable) Counts
    {
        get
        {
            lock (_lock)
            {
                return (_active.Count, _backoff.Count, _unschedulable.Count);
            }
        }
    }

    /// <summary>Where a pod is: "active", "backoff", "unschedulable" or null.</summary>
    public string? WhereIs(string key)
    {
        lock (_lock)
        {
            if (!_byKey.TryGetValue(key, out var info))
            {
                return null;
            }

            return _active.Contains(info) ? "active" : _backoff.Contains(info) ? "backoff" : _unschedulable.ContainsKey(key) ? "unschedulable" : null;
        }
    }

    /// <summary>The backoff of a pod after <paramref name="attempts"/> attempts: 1 s, 2 s, 4 s, 8 s, then 10 s.</summary>
    public static TimeSpan BackoffDuration(int attempts)
    {
        var duration = InitialBackoff;
        for (var i = 1; i < attempts; i++)
        {
            duration *= 2;
            if (duration >= MaxBackoff)
            {
                return MaxBackoff;
            }
        }

        return duration;
    }

    /// <summary>A new pending pod: to activeQ, or parked when a PreEnqueue plugin says no.</summary>
    public void Add(V1Pod pod)
    {
        lock (_lock)
        {
            var key = Cetus.Client.ObjectKeys.Of(pod);
            if (_byKey.ContainsKey(key))
            {
                UpdateLocked(pod);
                return;
            }

            var info = new QueuedPodInfo(pod, _time.GetUtcNow());
            _byKey[key] = info;
            Nominator.Add(info.PodInfo);
            MoveToActiveLocked(info);
        }
    }

    /// <summary>
    /// A pending pod changed: refresh it where it is (and its nomination, from <paramref name="old"/> when known); an
    /// unschedulable pod that changed gets another try.
    /// </summary>
    public void Update(V1Pod pod, V1Pod? old = null)
    {
        lock (_lock)
        {
            UpdateLocked(pod, old);
        }
    }

    /// <summary>The pod was deleted or bound: forget it.</summary>
    public void Delete(V1Pod pod)
    {
        lock (_lock)
        {
            var key = Cetus.Client.ObjectKeys.Of(pod);
            Nominator.Delete(pod);
            if (_byKey.Remove(key, out var info))
            {
                _active.Remove(info);
                _backoff.Remove(info);
                _unschedulable.Remove(key);
            }
        }
    }

    /// <summary>Waits for the next pod to schedule; null when the queue is closed.</summary>
    public async Task<QueuedPodInfo?> PopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_closed)
                {
                    return null;
                }

                if (_active.Min is { } first)
                {
                    _active.Remove(first);
                    _byKey.Remove(first.Key);
                    first.Attempts++;
                    _schedulingCycle++;
                    return first;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A scheduling attempt failed. Unschedulable pods (no node fits) wait for an event; when an event arrived
    /// while the pod was being scheduled (or the failure was an error), the pod goes to backoffQ instead, so that
    /// it does not miss that event.
    /// </summary>
    public void AddUnschedulable(QueuedPodInfo info, long podSchedulingCycle, bool error = false)
    {
        lock (_lock)
        {
            if (_byKey.ContainsKey(info.Key))
            {
                return;
            }

            info.Timestamp = _time.GetUtcNow();
            _byKey[info.Key] = info;
            Nominator.Add(info.PodInfo);
            if (error || _moveRequestCycle >= podSchedulingCycle)
            {
                _backoff.Add(info);
            }
            else
            {
                _unschedulable[info.Key] = info;
            }
        }
    }

    /// <summary>
    /// A cluster event: unschedulable pods that one of their rejecting plugins registered this event for move to
    /// backoffQ (still backing off) or activeQ.
    /// </summary>
    public void MoveAllToActiveOrBackoff(ClusterEvent happened, Func<V1Pod, bool>? podFilter = null)
    {
        lock (_lock)
        {
            _moveRequestCycle = _schedulingCycle;
            foreach (var info in _unschedulable.Values.ToList())
            {
                if ((podFilter is null || podFilter(info.Pod)) && Interested(info, happened))
                {
                    RequeueLocked(info);
                }
            }
        }
    }

    /// <summary>Moves pods whose backoff has expired from backoffQ to activeQ (upstream runs this every second).</summary>
    public void FlushBackoffCompleted()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            while (_backoff.Min is { } first && BackoffExpiry(first) <= now)
            {
                _backoff.Remove(first);
                MoveToActiveLocked(first);
            }
        }
    }

    /// <summary>Moves pods unschedulable for more than five minutes back (upstream runs this every 30 seconds).</summary>
    public void FlushUnschedulableLeftover()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var info in _unschedulable.Values.Where(i => !i.Gated && now - i.Timestamp > MaxUnschedulableDuration).ToList())
            {
                RequeueLocked(info);
            }
        }
    }

    /// <summary>Runs the two flushes on the clock until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        var ticks = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                FlushBackoffCompleted();
                if (++ticks % 30 == 0)
                {
                    FlushUnschedulableLeftover();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Wakes every waiting pop with null.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            SignalLocked();
        }
    }

    private DateTimeOffset BackoffExpiry(QueuedPodInfo info) => info.Timestamp + BackoffDuration(info.Attempts);

    private bool Interested(QueuedPodInfo info, ClusterEvent happened)
    {
        if (happened.Resource == EventResource.Wildcard || info.UnschedulablePlugins.Count == 0)
        {
            return true;
        }

        foreach (var plugin in info.UnschedulablePlugins)
        {
            if (_pluginEvents.TryGetValue(plugin, out var events) && events.Any(e => e.Matches(happened)))
            {
                return true;
            }
        }

        return false;
    }

    private void UpdateLocked(V1Pod pod, V1Pod? old = null)
    {
        var key = Cetus.Client.ObjectKeys.Of(pod);
        if (!_byKey.TryGetValue(key, out var info))
        {
            var fresh = new QueuedPodInfo(pod, _time.GetUtcNow());
            _byKey[key] = fresh;
            Nominator.Update(old ?? pod, fresh.PodInfo);
            MoveToActiveLocked(fresh);
            return;
        }

        var previous = old ?? info.Pod;
        if (_active.Remove(info))
        {
            info.Update(pod);
            Nominator.Update(previous, info.PodInfo);
            _active.Add(info);
            return;
        }

        if (_backoff.Remove(info))
        {
            info.Update(pod);
            Nominator.Update(previous, info.PodInfo);
            _backoff.Add(info);
            return;
        }

        var changed = SpecChanged(info.Pod, pod);
        info.Update(pod);
        Nominator.Update(previous, info.PodInfo);
        if (_unschedulable.ContainsKey(key) && changed)
        {
            RequeueLocked(info);
        }
    }

    private void RequeueLocked(QueuedPodInfo info)
    {
        _unschedulable.Remove(info.Key);
        if (!info.Gated && BackoffExpiry(info) > _time.GetUtcNow())
        {
            _backoff.Add(info);
            return;
        }

        MoveToActiveLocked(info);
    }

    /// <summary>Runs PreEnqueue; admitted pods join activeQ, the rest wait in the unschedulable set.</summary>
    private void MoveToActiveLocked(QueuedPodInfo info)
    {
        foreach (var plugin in _preEnqueue(info.Pod))
        {
            var status = plugin.PreEnqueue(info.Pod);
            if (status is not null && !status.IsSuccess)
            {
                info.Gated = true;
                info.UnschedulablePlugins.Clear();
                info.UnschedulablePlugins.Add(plugin.Name);
                _unschedulable[info.Key] = info;
                return;
            }
        }

        if (info.Gated)
        {
            info.Gated = false;
            info.UnschedulablePlugins.Clear();
        }

        _unschedulable.Remove(info.Key);
        _active.Add(info);
        SignalLocked();
    }

    private void SignalLocked()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    /// <summary>True when something other than status and bookkeeping metadata changed (upstream isPodUpdated).</summary>
    private static bool SpecChanged(V1Pod old, V1Pod updated)
    {
        static string Strip(V1Pod pod) => k8s.KubernetesJson.Serialize(new { pod.Spec, pod.Metadata?.Labels, pod.Metadata?.Annotations });
        return Strip(old) != Strip(updated);
    }
}
