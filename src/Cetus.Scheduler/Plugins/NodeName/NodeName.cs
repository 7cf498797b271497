using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler.Plugins.NodeName;

/// <summary>A pod that names a node (<c>spec.nodeName</c> set before scheduling) fits only that node.</summary>
internal sealed class NodeName : IFilterPlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeName";

    /// <summary>Upstream ErrReason.</summary>
    public const string ErrReason = "node(s) didn't match the requested node name";

    public string Name => PluginName;

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node) =>
        string.IsNullOrEmpty(pod.Spec?.NodeName) || pod.Spec.NodeName == node.Name ? null : Status.Unresolvable(ErrReason);

    public IReadOnlyList<ClusterEvent> EventsToRegister() => [new(EventResource.Node, ActionType.Add, "NodeAdd")];
}
