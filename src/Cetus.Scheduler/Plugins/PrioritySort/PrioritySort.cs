using Cetus.Scheduler.Framework;

namespace Cetus.Scheduler.Plugins.PrioritySort;

/// <summary>Orders the active queue by pod priority (higher first), then by the time the pod entered the queue.</summary>
internal sealed class PrioritySort : IQueueSortPlugin
{
    public const string PluginName = "PrioritySort";

    public string Name => PluginName;

    public bool Less(QueuedPodInfo a, QueuedPodInfo b)
    {
        var pa = a.Pod.Spec?.Priority ?? 0;
        var pb = b.Pod.Spec?.Priority ?? 0;
        return pa > pb || (pa == pb && a.Timestamp < b.Timestamp);
    }
}
