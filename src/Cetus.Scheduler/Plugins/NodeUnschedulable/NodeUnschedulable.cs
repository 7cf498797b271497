using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Plugins.TaintToleration;
using k8s.Models;

namespace Cetus.Scheduler.Plugins.NodeUnschedulable;

/// <summary>
/// A cordoned node (<c>spec.unschedulable</c>) takes only pods that tolerate the taint
/// node.kubernetes.io/unschedulable:NoSchedule.
/// </summary>
internal sealed class NodeUnschedulable : IFilterPlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeUnschedulable";

    /// <summary>Upstream ErrReasonUnschedulable.</summary>
    public const string ErrReason = "node(s) were unschedulable";

    private static readonly V1Taint UnschedulableTaint = new() { Key = "node.kubernetes.io/unschedulable", Effect = "NoSchedule" };

    public string Name => PluginName;

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        if (!node.Unschedulable)
        {
            return null;
        }

        return Tolerations.Tolerates(pod.Spec?.Tolerations, UnschedulableTaint) ? null : Status.Unresolvable(ErrReason);
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
        [new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeTaint, "NodeAddOrTaint"), new(EventResource.UnschedulablePod, ActionType.UpdatePodTolerations, "PodTolerations")];
}
