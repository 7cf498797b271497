using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler.Plugins.NodeAffinity;

/// <summary>
/// Filters nodes by the pod's <c>nodeSelector</c> and required node affinity; scores them by the summed weights of
/// the preferred terms they match, normalized so that the best node gets 100.
/// </summary>
internal sealed class NodeAffinity : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeAffinity";

    /// <summary>Upstream ErrReasonPod.</summary>
    public const string ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";

    public string Name => PluginName;

    /// <summary>Narrows the nodes when every required term names nodes by metadata.name In [...].</summary>
    public (PreFilterResult? Result, Status? Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var required = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        if (pod.Spec?.NodeSelector is not { Count: > 0 } && required is null)
        {
            return (null, Status.Skip());
        }

        if (required?.NodeSelectorTerms is not { Count: > 0 } terms)
        {
            return (null, null);
        }

        HashSet<string>? names = [];
        foreach (var term in terms)
        {
            var byName = (term.MatchFields ?? []).Where(f => f.Key == "metadata.name" && f.OperatorProperty == "In" && f.Values?.Count > 0).ToList();
            if (byName.Count == 0)
            {
                names = null;
                break;
            }

            IEnumerable<string> termNames = byName[0].Values;
            foreach (var more in byName.Skip(1))
            {
                termNames = termNames.Intersect(more.Values);
            }

            names.UnionWith(termNames);
        }

        if (names is null)
        {
            return (null, null);
        }

        return names.Count == 0 ? (null, Status.Unresolvable(ErrReasonPod)) : (new PreFilterResult(names), null);
    }

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node) =>
        node.Node is { } n && Matches(pod, n) ? null : Status.Unresolvable(ErrReasonPod);

    /// <summary>The pod's nodeSelector and required node affinity both match the node.</summary>
    public static bool Matches(V1Pod pod, V1Node node)
    {
        var labels = node.Metadata?.Labels ?? new Dictionary<string, string>();
        foreach (var (key, value) in pod.Spec?.NodeSelector ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        var required = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        return required is null || NodeSelectors.Matches(required.NodeSelectorTerms, node);
    }

    public Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes) =>
        pod.Spec?.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution is { Count: > 0 } ? null : Status.Skip();

    public (long Score, Status? Status) Score(CycleState state, V1Pod pod, NodeInfo node)
    {
        long score = 0;
        foreach (var term in pod.Spec?.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
        {
            if (term.Weight != 0 && node.Node is { } n && NodeSelectors.Matches(term.Preference, n))
            {
                score += term.Weight;
            }
        }

        return (score, null);
    }

    public Status? NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores)
    {
        ScoreNormalizer.Normalize(scores, reverse: false);
        return null;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
        [new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeLabel, "NodeAddOrLabel"), new(EventResource.UnschedulablePod, ActionType.Update, "UnschedulablePodUpdate")];
}
