using Cetus.Client;
using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler.Cache;

/// <summary>
/// The scheduler's view of nodes and the pods on them: bound pods from the informer plus pods the scheduler has
/// assumed on a node but not yet seen bound. Assuming at once lets the next cycle count the pod's requests while
/// its binding is still in flight; a failed binding forgets the pod again. An assumed pod whose binding finished
/// (<see cref="FinishBinding"/>) but that the informer never delivered bound expires after a TTL (upstream
/// cleanupAssumedPods); like kube-scheduler since 1.23 the TTL is 0 by default: never expire (issue 106361: expiry
/// raced with slow watches and let two pods take the same room).
/// </summary>
internal sealed class SchedulerCache
{
    /// <summary>Upstream durationToExpireAssumedPod: 0, assumed pods never expire.</summary>
    public static readonly TimeSpan DefaultAssumedPodTtl = TimeSpan.Zero;

    /// <summary>How often expired assumed pods are looked for (upstream cleanAssumedPeriod).</summary>
    public static readonly TimeSpan CleanupPeriod = TimeSpan.FromSeconds(1);

    private readonly object _lock = new();
    private readonly TimeSpan _assumedPodTtl;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, NodeInfo> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodState> _pods = new(StringComparer.Ordinal);
    private long _generation;
    private long _nodeSetVersion;

    // The nodes changed, by generation, since the oldest snapshot update that may still need them (upstream keeps a
    // list ordered by generation for the same reason: a snapshot update visits only what changed, not every node).
    private readonly List<(long Generation, string Name)> _changes = [];
    private long _changesSince;

    /// <summary>Creates a cache whose assumed pods expire <paramref name="assumedPodTtl"/> after their binding finished (0: never).</summary>
    public SchedulerCache(TimeSpan? assumedPodTtl = null, TimeProvider? time = null)
    {
        _assumedPodTtl = assumedPodTtl ?? DefaultAssumedPodTtl;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The number of nodes that exist (not only pods on a deleted node).</summary>
    public int NodeCount
    {
        get
        {
            lock (_lock)
            {
                return _nodes.Values.Count(n => n.Node is not null);
            }
        }
    }

    public bool IsAssumed(string podKey)
    {
        lock (_lock)
        {
            return _pods.TryGetValue(podKey, out var p) && p.Assumed;
        }
    }

    /// <summary>
    /// The binding of an assumed pod finished (upstream FinishBinding, called whether it succeeded or not): its expiry
    /// clock starts. Until then an assumed pod never expires.
    /// </summary>
    public void FinishBinding(V1Pod pod)
    {
        lock (_lock)
        {
            if (_pods.TryGetValue(ObjectKeys.Of(pod), out var p) && p.Assumed)
            {
                p.BindingFinished = true;
                p.Deadline = _time.GetUtcNow() + _assumedPodTtl;
            }
        }
    }

    /// <summary>
    /// Removes the assumed pods whose binding finished more than the TTL ago and that no informer event confirmed
    /// (upstream cleanupAssumedPods); nothing when the TTL is 0. Returns the keys removed.
    /// </summary>
    public IReadOnlyList<string> CleanupExpiredAssumedPods()
    {
        if (_assumedPodTtl <= TimeSpan.Zero)
        {
            return [];
        }

        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var expired = _pods.Where(p => p.Value.Assumed && p.Value.BindingFinished && now > p.Value.Deadline).Select(p => p.Key).ToList();
            foreach (var key in expired)
            {
                RemoveLocked(key);
            }

            return expired;
        }
    }

    /// <summary>Runs <see cref="CleanupExpiredAssumedPods"/> every second until cancelled (not at all when the TTL is 0).</summary>
    public async Task RunCleanupAsync(Action<IReadOnlyList<string>>? onExpired, CancellationToken cancellationToken)
    {
        if (_assumedPodTtl <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(CleanupPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (CleanupExpiredAssumedPods() is { Count: > 0 } expired)
                {
                    onExpired?.Invoke(expired);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Counts the pod on its node (pod.spec.nodeName) before it is bound.</summary>
    public void AssumePod(V1Pod pod)
    {
        lock (_lock)
        {
            var key = ObjectKeys.Of(pod);
            if (_pods.ContainsKey(key))
            {
                throw new InvalidOperationException($"pod {key} is already in the cache, so it cannot be assumed");
            }

            AddLocked(new PodInfo(pod), assumed: true);
        }
    }

    /// <summary>Undoes <see cref="AssumePod"/> after a failed reserve, permit or bind.</summary>
    public void ForgetPod(V1Pod pod)
    {
        lock (_lock)
        {
            var key = ObjectKeys.Of(pod);
            if (_pods.TryGetValue(key, out var p) && p.Assumed)
            {
                RemoveLocked(key);
            }
        }
    }

    /// <summary>A bound pod appeared in the informer: it replaces the assumed one (possibly on another node).</summary>
    public void AddPod(V1Pod pod)
    {
        lock (_lock)
        {
            var key = ObjectKeys.Of(pod);
            if (_pods.ContainsKey(key))
            {
                RemoveLocked(key);
            }

            AddLocked(new PodInfo(pod), assumed: false);
        }
    }

    public void UpdatePod(V1Pod pod) => AddPod(pod);

    public void RemovePod(V1Pod pod)
    {
        lock (_lock)
        {
            RemoveLocked(ObjectKeys.Of(pod));
        }
    }

    public void AddOrUpdateNode(V1Node node)
    {
        lock (_lock)
        {
            var name = node.Metadata.Name;
            if (!_nodes.TryGetValue(name, out var info))
            {
                info = new NodeInfo();
                _nodes[name] = info;
            }

            if (info.Node is null)
            {
                _nodeSetVersion++;
            }

            info.SetNode(node);
            Touch(name, info);
        }
    }

    public void RemoveNode(V1Node node)
    {
        lock (_lock)
        {
            var name = node.Metadata.Name;
            if (!_nodes.TryGetValue(name, out var info))
            {
                return;
            }

            _nodeSetVersion++;
            if (info.Pods.Count == 0)
            {
                _nodes.Remove(name);
            }
            else
            {
                // Its pods still exist until the pod GC deletes them; keep counting them under a node-less entry.
                info.SetNode(null);
                Touch(name, info);
            }
        }
    }

    /// <summary>Brings a snapshot up to date, copying only the nodes that changed since it was last updated.</summary>
    public void UpdateSnapshot(Snapshot snapshot)
    {
        lock (_lock)
        {
            var changed = new List<string>();
            if (snapshot.Generation >= _changesSince)
            {
                for (var i = _changes.Count - 1; i >= 0 && _changes[i].Generation > snapshot.Generation; i--)
                {
                    changed.Add(_changes[i].Name);
                }
            }
            else
            {
                changed.AddRange(_nodes.Where(n => n.Value.Generation > snapshot.Generation).Select(n => n.Key));
            }

            // Whether a node with affinity pods changed, before or after: the short lists below must then be rebuilt.
            var affinityChanged = false;
            foreach (var name in changed.Distinct(StringComparer.Ordinal))
            {
                if (_nodes.TryGetValue(name, out var info))
                {
                    affinityChanged |= info.AffinityPods > 0 || (snapshot.Nodes.TryGetValue(name, out var previous) && previous.AffinityPods > 0);
                    snapshot.Nodes[name] = info.Clone();
                }
            }

            if (snapshot.NodeSetVersion != _nodeSetVersion)
            {
                foreach (var name in snapshot.Nodes.Keys.Where(n => !_nodes.TryGetValue(n, out var i) || i.Node is null).ToList())
                {
                    snapshot.Nodes.Remove(name);
                }

                snapshot.List = [.. snapshot.Nodes.Values.Where(n => n.Node is not null).OrderBy(n => n.Name, StringComparer.Ordinal)];
                snapshot.Positions = snapshot.List.Select((n, i) => (n.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
                snapshot.NodeSetVersion = _nodeSetVersion;
            }
            else
            {
                foreach (var name in changed)
                {
                    if (snapshot.Positions.TryGetValue(name, out var position))
                    {
                        snapshot.List[position] = snapshot.Nodes[name];
                    }
                }
            }

            // The short lists of nodes with affinity pods, rebuilt only when such a node changed (or nodes came or went).
            if (affinityChanged || snapshot.NodeSetVersion != snapshot.AffinityListsVersion)
            {
                snapshot.WithAffinityPods = [.. snapshot.List.Where(n => n.AffinityPods > 0)];
                snapshot.WithRequiredAntiAffinityPods = [.. snapshot.List.Where(n => n.RequiredAntiAffinityPods > 0)];
                snapshot.AffinityListsVersion = snapshot.NodeSetVersion;
            }

            snapshot.Generation = _generation;

            // Changes this snapshot has seen are dropped; an older snapshot then falls back to a full scan.
            _changes.Clear();
            _changesSince = _generation;
        }
    }

    private void Touch(string name, NodeInfo info)
    {
        info.Generation = ++_generation;
        _changes.Add((info.Generation, name));
    }

    private void AddLocked(PodInfo pod, bool assumed)
    {
        var nodeName = pod.Pod.Spec?.NodeName ?? string.Empty;
        if (!_nodes.TryGetValue(nodeName, out var info))
        {
            // A pod bound to a node the informer has not delivered yet.
            info = new NodeInfo();
            _nodes[nodeName] = info;
        }

        info.AddPod(pod);
        Touch(nodeName, info);
        _pods[pod.Key] = new PodState(nodeName, assumed);
    }

    private void RemoveLocked(string key)
    {
        if (!_pods.Remove(key, out var p) || !_nodes.TryGetValue(p.Node, out var info))
        {
            return;
        }

        info.RemovePod(key);
        Touch(p.Node, info);
        if (info.Node is null && info.Pods.Count == 0)
        {
            _nodes.Remove(p.Node);
        }
    }
}

/// <summary>Where a pod of the cache counts, and whether it is only assumed (with its expiry once its binding finished).</summary>
internal sealed class PodState(string node, bool assumed)
{
    public string Node { get; } = node;

    public bool Assumed { get; } = assumed;

    public bool BindingFinished { get; set; }

    public DateTimeOffset Deadline { get; set; } = DateTimeOffset.MaxValue;
}

/// <summary>The nodes one scheduling cycle sees: a consistent copy, updated incrementally from the cache.</summary>
internal sealed class Snapshot
{
    public Dictionary<string, NodeInfo> Nodes { get; } = new(StringComparer.Ordinal);

    /// <summary>The nodes that exist, in a stable order (the scheduler starts each cycle where the last one stopped).</summary>
    public List<NodeInfo> List { get; set; } = [];

    /// <summary>Where each node is in <see cref="List"/>.</summary>
    public Dictionary<string, int> Positions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The nodes of <see cref="List"/> with pods that have pod affinity or anti-affinity.</summary>
    public List<NodeInfo> WithAffinityPods { get; set; } = [];

    /// <summary>The nodes of <see cref="List"/> with pods that have required anti-affinity.</summary>
    public List<NodeInfo> WithRequiredAntiAffinityPods { get; set; } = [];

    /// <summary>The <see cref="NodeSetVersion"/> the two lists above were built for.</summary>
    public long AffinityListsVersion { get; set; } = -1;

    public long Generation { get; set; }

    public long NodeSetVersion { get; set; } = -1;

    public NodeInfo? Get(string name) => Nodes.GetValueOrDefault(name);
}
