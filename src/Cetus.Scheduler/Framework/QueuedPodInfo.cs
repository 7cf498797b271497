using k8s.Models;

namespace Cetus.Scheduler.Framework;

/// <summary>A pod waiting in the scheduling queue, with what the queue needs to order and back it off.</summary>
internal sealed class QueuedPodInfo
{
    public QueuedPodInfo(V1Pod pod, DateTimeOffset now)
    {
        PodInfo = new PodInfo(pod);
        Timestamp = now;
        InitialAttemptTimestamp = now;
    }

    public PodInfo PodInfo { get; private set; }

    public V1Pod Pod => PodInfo.Pod;

    public string Key => PodInfo.Key;

    /// <summary>When the pod was added to the queue, or last moved back after a failed attempt.</summary>
    public DateTimeOffset Timestamp { get; set; }

    public DateTimeOffset InitialAttemptTimestamp { get; }

    /// <summary>How many scheduling attempts the pod has had (drives its backoff).</summary>
    public int Attempts { get; set; }

    /// <summary>The plugins that rejected the pod in its last attempt (or in PreEnqueue): the events they registered move it back.</summary>
    public HashSet<string> UnschedulablePlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>True while a PreEnqueue plugin (e.g. SchedulingGates) keeps the pod out of the active queue.</summary>
    public bool Gated { get; set; }

    public void Update(V1Pod pod) => PodInfo = new PodInfo(pod);
}
