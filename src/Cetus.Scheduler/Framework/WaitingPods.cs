using System.Collections.Concurrent;
using System.Globalization;
using k8s.Models;

namespace Cetus.Scheduler.Framework;

/// <summary>
/// A pod that Permit plugins asked to wait (upstream waitingPod): assumed on its node, its binding cycle blocked until
/// every waiting plugin allows it, one rejects it, or a plugin's timeout passes (a rejection).
/// </summary>
internal sealed class WaitingPod
{
    private readonly object _lock = new();
    private readonly Dictionary<string, ITimer> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<Status?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WaitingPod(V1Pod pod, string nodeName, IReadOnlyDictionary<string, TimeSpan> waits, TimeProvider time)
    {
        Pod = pod;
        NodeName = nodeName;

        // Under the lock, so that a timer that fires at once finds every other timer armed.
        lock (_lock)
        {
            foreach (var (plugin, wait) in waits)
            {
                var message = $"rejected due to timeout after waiting {GoDuration(wait)} at plugin {plugin}";
                _pending[plugin] = time.CreateTimer(_ => Reject(plugin, message), null, wait, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public V1Pod Pod { get; }

    /// <summary>The node the pod is assumed on.</summary>
    public string NodeName { get; }

    /// <summary>The plugins that have not allowed the pod yet.</summary>
    public IReadOnlyList<string> PendingPlugins
    {
        get
        {
            lock (_lock)
            {
                return [.. _pending.Keys];
            }
        }
    }

    /// <summary>Completes with null (allowed) or the rejection.</summary>
    internal Task<Status?> Result => _result.Task;

    /// <summary>This plugin allows the pod; once every waiting plugin has, the binding cycle goes on.</summary>
    public void Allow(string plugin)
    {
        lock (_lock)
        {
            if (_pending.Remove(plugin, out var timer))
            {
                timer.Dispose();
            }

            if (_pending.Count == 0)
            {
                _result.TrySetResult(null);
            }
        }
    }

    /// <summary>Rejects the pod (Unschedulable with this message): it is unreserved, forgotten and requeued.</summary>
    public void Reject(string plugin, string message)
    {
        lock (_lock)
        {
            foreach (var timer in _pending.Values)
            {
                timer.Dispose();
            }

            _result.TrySetResult(new Status(Code.Unschedulable, message) { Plugin = plugin });
        }
    }

    // Go's time.Duration.String() for the whole seconds and milliseconds Permit timeouts are given in: 500ms, 10s, 15m0s.
    private static string GoDuration(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
        {
            return ((long)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var seconds = (duration.Ticks % TimeSpan.TicksPerMinute / (decimal)TimeSpan.TicksPerSecond).ToString("0.#########", CultureInfo.InvariantCulture) + "s";
        var hours = (long)duration.TotalHours;
        return hours > 0 ? string.Create(CultureInfo.InvariantCulture, $"{hours}h{duration.Minutes}m{seconds}")
            : duration.Minutes > 0 ? string.Create(CultureInfo.InvariantCulture, $"{duration.Minutes}m{seconds}") : seconds;
    }
}

/// <summary>
/// The pods waiting on Permit (upstream waitingPodsMap), shared by every profile of a scheduler and handed to plugins
/// (through <see cref="PluginContext"/>) so that one plugin can allow or reject pods another one parked, as upstream's
/// framework handle does (IterateOverWaitingPods, GetWaitingPod, RejectWaitingPod).
/// </summary>
internal sealed class WaitingPods(TimeProvider? time = null)
{
    /// <summary>The longest a Permit plugin may make a pod wait (upstream maxTimeout); longer asks are cut to this.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, WaitingPod> _pods = new(StringComparer.Ordinal);

    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    /// <summary>The waiting pod with this UID, or null.</summary>
    public WaitingPod? Get(string uid) => _pods.GetValueOrDefault(uid);

    /// <summary>Every waiting pod (a snapshot).</summary>
    public IReadOnlyList<WaitingPod> All => [.. _pods.Values];

    /// <summary>Rejects the waiting pod with this UID (it was deleted); false when no such pod waits.</summary>
    public bool Reject(string uid, string plugin = "", string message = "removed")
    {
        if (!_pods.TryGetValue(uid, out var pod))
        {
            return false;
        }

        pod.Reject(plugin, message);
        return true;
    }

    internal WaitingPod Add(V1Pod pod, string nodeName, IReadOnlyDictionary<string, TimeSpan> waits)
    {
        var waiting = new WaitingPod(pod, nodeName, waits, Time);
        _pods[UidOf(pod)] = waiting;
        return waiting;
    }

    internal void Remove(V1Pod pod) => _pods.TryRemove(UidOf(pod), out _);

    internal static string UidOf(V1Pod pod) => pod.Metadata.Uid ?? Cetus.Client.ObjectKeys.Of(pod);
}
