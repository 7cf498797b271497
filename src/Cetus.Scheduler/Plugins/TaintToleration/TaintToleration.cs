using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler.Plugins.TaintToleration;

/// <summary>
/// Filters out nodes with a NoSchedule or NoExecute taint the pod does not tolerate; scores nodes lower the more
/// PreferNoSchedule taints the pod does not tolerate.
/// </summary>
internal sealed class TaintToleration : IFilterPlugin, IPreScorePlugin, IScorePlugin, IEnqueueExtensions
{
    public const string PluginName = "TaintToleration";

    private const string StateKey = "PreScore" + PluginName;

    public string Name => PluginName;

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        foreach (var taint in node.Taints)
        {
            if (taint.Effect is "NoSchedule" or "NoExecute" && !Tolerations.Tolerates(pod.Spec?.Tolerations, taint))
            {
                return Status.Unresolvable($"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}");
            }
        }

        return null;
    }

    public Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        // Only tolerations of PreferNoSchedule taints (or of any effect) matter for scoring.
        List<V1Toleration> tolerations = [.. (pod.Spec?.Tolerations ?? []).Where(t => string.IsNullOrEmpty(t.Effect) || t.Effect == "PreferNoSchedule")];
        state.Write(StateKey, tolerations);
        return null;
    }

    public (long Score, Status? Status) Score(CycleState state, V1Pod pod, NodeInfo node)
    {
        if (node.Taints.Count == 0)
        {
            return (0, null);
        }

        // A loop, not a lambda: a closure over the tolerations was allocated on every call, 12 KB per pod at 500 nodes.
        var tolerations = state.Read<List<V1Toleration>>(StateKey) ?? [];
        long count = 0;
        foreach (var taint in node.Taints)
        {
            if (taint.Effect == "PreferNoSchedule" && !Tolerations.Tolerates(tolerations, taint))
            {
                count++;
            }
        }

        return (count, null);
    }

    /// <summary>Fewer intolerable taints is better: reverse the counts into [0, 100].</summary>
    public Status? NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores)
    {
        ScoreNormalizer.Normalize(scores, reverse: true);
        return null;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
        [new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeTaint, "NodeAddOrTaint"), new(EventResource.UnschedulablePod, ActionType.UpdatePodTolerations, "PodTolerations")];
}
