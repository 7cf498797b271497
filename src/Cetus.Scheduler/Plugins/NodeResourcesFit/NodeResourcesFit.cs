using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler.Plugins.NodeResourcesFit;

/// <summary>
/// Filters out nodes whose allocatable resources, less what their pods request, cannot hold the pod's requests
/// (cpu, memory, ephemeral-storage, extended resources and the pod count); scores nodes by the LeastAllocated
/// strategy (the more CPU and memory left after placing the pod, the better), which spreads pods.
/// </summary>
internal sealed class NodeResourcesFit : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeResourcesFit";

    private const string StateKey = "PreFilter" + PluginName;

    private const string ScoreStateKey = "PreScore" + PluginName;

    // The resources LeastAllocated scores and their weights (upstream's defaults: cpu 1, memory 1).
    private const long CpuWeight = 1;
    private const long MemoryWeight = 1;

    public string Name => PluginName;

    public (PreFilterResult? Result, Status? Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        state.Write(StateKey, PodRequests.Of(pod));
        return (null, null);
    }

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        var request = state.Read<Resource>(StateKey) ?? PodRequests.Of(pod);
        if (Fits(request, node))
        {
            return null;
        }

        var insufficient = InsufficientResources(request, node);
        if (insufficient.Count == 0)
        {
            return null;
        }

        var unresolvable = insufficient.All(i => i.Unresolvable);
        return new Status(unresolvable ? Code.UnschedulableAndUnresolvable : Code.Unschedulable, [.. insufficient.Select(i => i.Reason)]);
    }

    // Whether InsufficientResources would find nothing, without allocating: the answer for most nodes of most cycles.
    private static bool Fits(Resource request, NodeInfo node)
    {
        if (node.PodCount + 1 > node.AllowedPods)
        {
            return false;
        }

        if ((request.MilliCpu > 0 && request.MilliCpu > node.AllocatableMilliCpu - node.RequestedMilliCpu)
            || (request.MemoryBytes > 0 && request.MemoryBytes > node.AllocatableMemory - node.RequestedMemory)
            || (request.EphemeralBytes > 0 && request.EphemeralBytes > node.AllocatableEphemeral - node.RequestedEphemeral))
        {
            return false;
        }

        if (request.Scalar.Count == 0)
        {
            return true;
        }

        foreach (var (name, value) in request.Scalar)
        {
            if (value > 0 && value > node.Allocatable.Get(name) - node.Requested.Get(name))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The resources the node lacks for the pod (upstream fitsRequest); a shortage is unresolvable when the pod
    /// asks more than the node's whole allocatable, so that preempting pods would not help.
    /// </summary>
    public static List<(string Resource, string Reason, bool Unresolvable)> InsufficientResources(Resource request, NodeInfo node)
    {
        var result = new List<(string, string, bool)>();
        var allowedPods = node.Allocatable.AllowedPodNumber;
        if (node.Pods.Count + 1 > allowedPods)
        {
            result.Add((Resource.Pods, "Too many pods", allowedPods == 0));
        }

        if (request.IsZero)
        {
            return result;
        }

        void Check(string name, long requested)
        {
            if (requested <= 0)
            {
                return;
            }

            var allocatable = node.Allocatable.Get(name);
            if (requested > allocatable - node.Requested.Get(name))
            {
                result.Add((name, "Insufficient " + name, requested > allocatable));
            }
        }

        Check(Resource.Cpu, request.MilliCpu);
        Check(Resource.Memory, request.MemoryBytes);
        Check(Resource.EphemeralStorage, request.EphemeralBytes);
        foreach (var (name, value) in request.Scalar.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Check(name, value);
        }

        return result;
    }

    /// <summary>The pod's non-zero requests, computed once per cycle for the scores of every node (upstream's PreScore).</summary>
    public Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        state.Write(ScoreStateKey, PodRequests.NonZero(pod));
        return null;
    }

    /// <summary>LeastAllocated: for each scored resource (allocatable − requested) × 100 / allocatable, weighted.</summary>
    public (long Score, Status? Status) Score(CycleState state, V1Pod pod, NodeInfo node)
    {
        var podRequest = state.Read<Resource>(ScoreStateKey) ?? PodRequests.NonZero(pod);
        long total = 0, weights = 0;
        LeastAllocated(node.AllocatableMilliCpu, node.NonZeroMilliCpu + podRequest.MilliCpu, CpuWeight, ref total, ref weights);
        LeastAllocated(node.AllocatableMemory, node.NonZeroMemory + podRequest.MemoryBytes, MemoryWeight, ref total, ref weights);
        return (weights == 0 ? 0 : total / weights, null);
    }

    // One resource's part of the LeastAllocated score; a resource the node has none of is left out.
    private static void LeastAllocated(long allocatable, long requested, long weight, ref long total, ref long weights)
    {
        if (allocatable == 0)
        {
            return;
        }

        var score = requested > allocatable ? 0 : (allocatable - requested) * IScorePlugin.MaxNodeScore / allocatable;
        total += score * weight;
        weights += weight;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
    [
        new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeAllocatable, "NodeAddOrAllocatable"),
        new(EventResource.AssignedPod, ActionType.Delete | ActionType.UpdatePodScaleDown, "AssignedPodDeleteOrScaleDown"),
        new(EventResource.UnschedulablePod, ActionType.Update, "UnschedulablePodUpdate"),
    ];
}
