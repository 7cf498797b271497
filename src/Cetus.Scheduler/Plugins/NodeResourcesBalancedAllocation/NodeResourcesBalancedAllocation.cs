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

    private static readonly string[] Resources = [Resource.Cpu, Resource.Memory];

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
        Span<double> fractions = stackalloc double[Resources.Length];
        var count = 0;
        foreach (var name in Resources)
        {
            var allocatable = node.Allocatable.Get(name);
            if (allocatable == 0)
            {
                continue;
            }

            fractions[count++] = Math.Min(1.0, (double)(node.Requested.Get(name) + request.Get(name)) / allocatable);
        }

        double std = 0;
        if (count == 2)
        {
            std = Math.Abs(fractions[0] - fractions[1]) / 2;
        }
        else if (count > 2)
        {
            double mean = 0, squares = 0;
            for (var i = 0; i < count; i++)
            {
                mean += fractions[i] / count;
            }

            for (var i = 0; i < count; i++)
            {
                squares += (fractions[i] - mean) * (fractions[i] - mean);
            }

            std = Math.Sqrt(squares / count);
        }

        return ((long)((1 - std) * IScorePlugin.MaxNodeScore), null);
    }
}
