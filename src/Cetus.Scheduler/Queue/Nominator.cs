using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler.Queue;

/// <summary>
/// The pods nominated to run on nodes (upstream backend/queue nominator): a pod that preempted victims on a node waits
/// for them to go, and meanwhile other pods must not take the room it made. Filters count these pods on their nodes
/// for pods of no higher priority. The scheduler records a nomination as soon as preemption makes it (before the API
/// write of status.nominatedNodeName lands), the queue keeps it in step with the pods' status, and a pod leaves when
/// it is assumed, bound or deleted.
/// </summary>
internal sealed class Nominator(Func<string, V1Pod?>? getPod = null)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, List<PodInfo>> _byNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodeOf = new(StringComparer.Ordinal);

    // How many pods are nominated: the filters ask for every node they visit, and almost always there are none.
    private int _count;

    /// <summary>
    /// Records a nomination (upstream AddNominatedPod). <paramref name="nodeName"/> null takes the pod's own
    /// status.nominatedNodeName (upstream ModeNoop); a value overrides it, and "" clears the nomination.
    /// </summary>
    public void Add(PodInfo pod, string? nodeName = null)
    {
        lock (_lock)
        {
            AddLocked(pod, nodeName);
        }
    }

    /// <summary>
    /// A nominated pod changed (upstream UpdateNominatedPod). An update that says nothing about the nomination, right
    /// after the scheduler nominated the pod in memory, keeps the in-memory nomination (the status write is on its way).
    /// </summary>
    public void Update(V1Pod old, PodInfo updated)
    {
        lock (_lock)
        {
            string? keep = null;
            if (string.IsNullOrEmpty(old.Status?.NominatedNodeName) && string.IsNullOrEmpty(updated.Pod.Status?.NominatedNodeName)
                && _nodeOf.TryGetValue(UidOf(old), out var node))
            {
                keep = node;
            }

            DeleteLocked(old);
            AddLocked(updated, keep);
        }
    }

    /// <summary>The pod was assumed, bound or deleted: it is nominated nowhere (upstream DeleteNominatedPodIfExists).</summary>
    public void Delete(V1Pod pod)
    {
        lock (_lock)
        {
            DeleteLocked(pod);
        }
    }

    /// <summary>Whether any pod is nominated anywhere (almost never, outside preemption): most filters need not look.</summary>
    public bool Any => Volatile.Read(ref _count) > 0;

    /// <summary>The pods nominated to this node (a copy).</summary>
    public IReadOnlyList<PodInfo> NominatedPodsForNode(string nodeName)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return [];
        }

        lock (_lock)
        {
            return _byNode.TryGetValue(nodeName, out var pods) ? [.. pods] : [];
        }
    }

    /// <summary>The node this pod is nominated to, or null.</summary>
    public string? NominatedNodeOf(V1Pod pod)
    {
        lock (_lock)
        {
            return _nodeOf.GetValueOrDefault(UidOf(pod));
        }
    }

    private void AddLocked(PodInfo pod, string? nodeName)
    {
        // Never more than one entry per pod.
        DeleteLocked(pod.Pod);
        nodeName ??= pod.Pod.Status?.NominatedNodeName;
        if (string.IsNullOrEmpty(nodeName))
        {
            return;
        }

        // A pod deleted or bound meanwhile is not nominated.
        if (getPod is not null && (getPod(pod.Key) is not { } current || !string.IsNullOrEmpty(current.Spec?.NodeName)))
        {
            return;
        }

        var uid = UidOf(pod.Pod);
        _nodeOf[uid] = nodeName;
        if (!_byNode.TryGetValue(nodeName, out var list))
        {
            list = [];
            _byNode[nodeName] = list;
        }

        list.Add(pod);
        Volatile.Write(ref _count, _nodeOf.Count);
    }

    private void DeleteLocked(V1Pod pod)
    {
        var uid = UidOf(pod);
        if (!_nodeOf.Remove(uid, out var node))
        {
            return;
        }

        Volatile.Write(ref _count, _nodeOf.Count);
        if (_byNode.TryGetValue(node, out var list))
        {
            list.RemoveAll(p => UidOf(p.Pod) == uid);
            if (list.Count == 0)
            {
                _byNode.Remove(node);
            }
        }
    }

    // Pods are told apart by UID (a pod recreated under the same name is another pod); tests' pods may lack one.
    private static string UidOf(V1Pod pod) => pod.Metadata.Uid ?? Cetus.Client.ObjectKeys.Of(pod);
}
