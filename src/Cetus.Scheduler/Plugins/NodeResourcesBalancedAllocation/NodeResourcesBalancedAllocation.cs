using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler.Plugins.NodeResourcesBalancedAllocation;

/// <summary>
/// Favors nodes whose CPU and memory would be used in similar proportions after placing the pod:
/// score = (1 − standard deviation of the requested fractions) × 100. Skipped for pods that request nothing.
/// </summary>
internal sealed class NodeResourcesBalancedAllocation : IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "NodeResourcesBalancedAllocation";

    private const string StateKey = "PreScore" + PluginName;

    public string Name => PluginName;

    public Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var request = PodRequests.Of(pod);
        if (request.IsZero)
        {
            return Status.Skip();
        }

        state.Write(StateKey, request);
        return null;
    }

    public (long Score, Status? Status) Score(CycleState state, V1Pod pod, NodeInfo node)
    {
        var request = state.Read<Resource>(StateKey) ?? PodRequests.Of(pod);
        // The standard deviation of the fractions of CPU and memory (upstream's default resources) the node would have
        // in use: for two fractions, half their difference; for one (a node without the other), zero.
        if (node.AllocatableMilliCpu == 0 || node.AllocatableMemory == 0)
        {
            return (IScorePlugin.MaxNodeScore, null);
        }

        var cpu = Math.Min(1.0, (double)(node.RequestedMilliCpu + request.MilliCpu) / node.AllocatableMilliCpu);
        var memory = Math.Min(1.0, (double)(node.RequestedMemory + request.MemoryBytes) / node.AllocatableMemory);
        var std = Math.Abs(cpu - memory) / 2;
        return ((long)((1 - std) * IScorePlugin.MaxNodeScore), null);
    }
}
