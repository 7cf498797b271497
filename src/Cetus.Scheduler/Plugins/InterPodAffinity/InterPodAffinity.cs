using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler.Plugins.InterPodAffinity;

/// <summary>
/// Pod affinity and anti-affinity. Filter: the node's domain (its value of the term's topologyKey) must hold a pod
/// matching each required affinity term (unless no such pod exists anywhere and the pod matches its own terms: the
/// first of a group), no pod matching a required anti-affinity term, and no pod whose own required anti-affinity
/// selects this pod. Score: preferred terms of the pod and of existing pods (and existing pods' required affinity,
/// with weight 1) add or subtract their weights per domain; normalized to [0, 100] between the lowest and highest.
/// </summary>
internal sealed class InterPodAffinity(Func<string, IDictionary<string, string>?> namespaceLabels) : IPreFilterExtensions, IFilterPlugin, IPreScorePlugin, IScorePlugin, IEnqueueExtensions
{
    public const string PluginName = "InterPodAffinity";

    /// <summary>Upstream ErrReasonAffinityRulesNotMatch.</summary>
    public const string ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";

    /// <summary>Upstream ErrReasonAntiAffinityRulesNotMatch.</summary>
    public const string ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

    /// <summary>Upstream ErrReasonExistingAntiAffinityRulesNotMatch.</summary>
    public const string ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";

    /// <summary>The weight of an existing pod's required affinity term in scoring (upstream hardPodAffinityWeight default).</summary>
    public const int HardPodAffinityWeight = 1;

    private const string PreFilterKey = "PreFilter" + PluginName;
    private const string PreScoreKey = "PreScore" + PluginName;

    public InterPodAffinity()
        : this(_ => null)
    {
    }

    public string Name => PluginName;

    private sealed class FilterState : IStateData
    {
        public List<AffinityTerm> Affinity { get; init; } = [];

        public List<AffinityTerm> AntiAffinity { get; init; } = [];

        public Dictionary<(string Key, string Value), int> AffinityCounts { get; private init; } = [];

        public Dictionary<(string Key, string Value), int> AntiAffinityCounts { get; private init; } = [];

        public Dictionary<(string Key, string Value), int> ExistingAntiAffinityCounts { get; private init; } = [];

        public IStateData Clone() => new FilterState
        {
            Affinity = Affinity,
            AntiAffinity = AntiAffinity,
            AffinityCounts = new(AffinityCounts),
            AntiAffinityCounts = new(AntiAffinityCounts),
            ExistingAntiAffinityCounts = new(ExistingAntiAffinityCounts),
        };
    }

    public (PreFilterResult? Result, Status? Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var s = new FilterState { Affinity = AffinityTerm.Required(pod, anti: false), AntiAffinity = AffinityTerm.Required(pod, anti: true) };
        var ownTerms = s.Affinity.Count > 0 || s.AntiAffinity.Count > 0;
        // Without terms of its own, only nodes with pods of required anti-affinity matter: the snapshot lists them.
        var visit = ownTerms ? nodes : state.Read<IReadOnlyList<NodeInfo>>(CycleState.NodesWithRequiredAntiAffinityPodsKey) ?? nodes;
        foreach (var node in visit)
        {
            // A pod without terms of its own only cares about existing pods' required anti-affinity: most nodes have none.
            if (node.Node is not { } n || (!ownTerms && node.RequiredAntiAffinityPods == 0))
            {
                continue;
            }

            var labels = n.Metadata.Labels ?? new Dictionary<string, string>();

            // Existing pods whose required anti-affinity selects this pod.
            foreach (var existing in node.PodsWithRequiredAntiAffinity)
            {
                foreach (var term in AffinityTerm.Required(existing.Pod, anti: true))
                {
                    if (labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(pod, namespaceLabels))
                    {
                        Add(s.ExistingAntiAffinityCounts, (term.TopologyKey, value), 1);
                    }
                }
            }

            if (s.Affinity.Count == 0 && s.AntiAffinity.Count == 0)
            {
                continue;
            }

            foreach (var existing in node.Pods)
            {
                if (s.Affinity.Count > 0 && s.Affinity.All(t => t.Matches(existing.Pod, namespaceLabels)))
                {
                    foreach (var term in s.Affinity)
                    {
                        if (labels.TryGetValue(term.TopologyKey, out var value))
                        {
                            Add(s.AffinityCounts, (term.TopologyKey, value), 1);
                        }
                    }
                }

                foreach (var term in s.AntiAffinity)
                {
                    if (labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(existing.Pod, namespaceLabels))
                    {
                        Add(s.AntiAffinityCounts, (term.TopologyKey, value), 1);
                    }
                }
            }
        }

        if (s.Affinity.Count == 0 && s.AntiAffinity.Count == 0 && s.ExistingAntiAffinityCounts.Count == 0)
        {
            return (null, Status.Skip());
        }

        state.Write(PreFilterKey, s);
        return (null, null);
    }

    /// <summary>A pod was added to a copy of a node (a nominated pod): count it as PreFilter would have.</summary>
    public Status? AddPod(CycleState state, V1Pod podToSchedule, PodInfo podToAdd, NodeInfo node) => UpdateWithPod(state, podToSchedule, podToAdd, node, 1);

    /// <summary>A pod was removed from a copy of a node (a preemption victim): uncount it.</summary>
    public Status? RemovePod(CycleState state, V1Pod podToSchedule, PodInfo podToRemove, NodeInfo node) => UpdateWithPod(state, podToSchedule, podToRemove, node, -1);

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        if (state.Read<FilterState>(PreFilterKey) is not { } s || node.Node is not { } n)
        {
            return null;
        }

        var labels = n.Metadata.Labels ?? new Dictionary<string, string>();
        if (!SatisfiesAffinity(s, pod, labels))
        {
            return Status.Unresolvable(ErrReasonAffinityRulesNotMatch);
        }

        foreach (var term in s.AntiAffinity)
        {
            if (labels.TryGetValue(term.TopologyKey, out var value) && s.AntiAffinityCounts.GetValueOrDefault((term.TopologyKey, value)) > 0)
            {
                return Status.Unschedulable(ErrReasonAntiAffinityRulesNotMatch);
            }
        }

        foreach (var (key, value) in labels)
        {
            if (s.ExistingAntiAffinityCounts.GetValueOrDefault((key, value)) > 0)
            {
                return Status.Unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch);
            }
        }

        return null;
    }

    public Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var preferred = AffinityTerm.Preferred(pod, anti: false);
        var preferredAnti = AffinityTerm.Preferred(pod, anti: true);
        var scanAll = preferred.Count > 0 || preferredAnti.Count > 0;
        // Without preferences of its own, only nodes with pods of (anti-)affinity matter: the snapshot lists them.
        var all = (scanAll ? null : state.Read<IReadOnlyList<NodeInfo>>(CycleState.NodesWithAffinityPodsKey))
            ?? state.Read<IReadOnlyList<NodeInfo>>(CycleState.AllNodesKey) ?? nodes;
        var scores = new Dictionary<(string Key, string Value), long>();
        var any = false;
        foreach (var node in all)
        {
            if (node.Node is not { } n)
            {
                continue;
            }

            if (!scanAll && node.AffinityPods == 0)
            {
                continue;
            }

            var labels = n.Metadata.Labels ?? new Dictionary<string, string>();
            foreach (var existing in scanAll ? node.Pods : node.PodsWithAffinity)
            {
                any = true;
                void Add(IEnumerable<AffinityTerm> terms, V1Pod candidate, long sign, int? weight = null)
                {
                    foreach (var term in terms)
                    {
                        if (labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(candidate, namespaceLabels))
                        {
                            var key = (term.TopologyKey, value);
                            scores[key] = scores.GetValueOrDefault(key) + (sign * (weight ?? term.Weight));
                        }
                    }
                }

                // The incoming pod's preferences about existing pods.
                Add(preferred, existing.Pod, 1);
                Add(preferredAnti, existing.Pod, -1);

                // Existing pods' affinity to the incoming pod.
                if (existing.HasAffinity)
                {
                    Add(AffinityTerm.Required(existing.Pod, anti: false), pod, 1, HardPodAffinityWeight);
                    Add(AffinityTerm.Preferred(existing.Pod, anti: false), pod, 1);
                    Add(AffinityTerm.Preferred(existing.Pod, anti: true), pod, -1);
                }
            }
        }

        if (!any || scores.Count == 0)
        {
            return Status.Skip();
        }

        state.Write(PreScoreKey, scores);
        return null;
    }

    public (long Score, Status? Status) Score(CycleState state, V1Pod pod, NodeInfo node)
    {
        if (state.Read<Dictionary<(string Key, string Value), long>>(PreScoreKey) is not { } scores || node.Node is not { } n)
        {
            return (0, null);
        }

        long score = 0;
        foreach (var (key, value) in n.Metadata.Labels ?? new Dictionary<string, string>())
        {
            score += scores.GetValueOrDefault((key, value));
        }

        return (score, null);
    }

    /// <summary>Scales linearly so that the lowest score becomes 0 and the highest 100 (all 0 when they are equal).</summary>
    public Status? NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores)
    {
        if (scores.Length == 0)
        {
            return null;
        }

        long min = long.MaxValue, max = long.MinValue;
        foreach (var score in scores)
        {
            min = Math.Min(min, score.Score);
            max = Math.Max(max, score.Score);
        }

        foreach (ref var score in scores)
        {
            score.Score = max > min ? (long)(IScorePlugin.MaxNodeScore * ((double)(score.Score - min) / (max - min))) : 0;
        }

        return null;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
    [
        new(EventResource.AssignedPod, ActionType.Add | ActionType.Delete | ActionType.UpdatePodLabel, "AssignedPodChange"),
        new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeLabel, "NodeAddOrLabel"),
        new(EventResource.UnschedulablePod, ActionType.UpdatePodLabel, "PodLabel"),
    ];

    /// <summary>
    /// Every required affinity term must find a matching pod in the node's domain; when no pod anywhere matches
    /// them and the pod matches its own terms, it may start the group on any node having the keys.
    /// </summary>
    private bool SatisfiesAffinity(FilterState s, V1Pod pod, IDictionary<string, string> labels)
    {
        if (s.Affinity.Count == 0)
        {
            return true;
        }

        if (s.AffinityCounts.Count > 0)
        {
            return s.Affinity.All(t => labels.TryGetValue(t.TopologyKey, out var value) && s.AffinityCounts.GetValueOrDefault((t.TopologyKey, value)) > 0);
        }

        return s.Affinity.All(t => labels.ContainsKey(t.TopologyKey) && t.Matches(pod, namespaceLabels));
    }

    // Upstream preFilterState.updateWithPod: the three counts, for one pod on one node.
    private Status? UpdateWithPod(CycleState state, V1Pod pod, PodInfo other, NodeInfo node, int delta)
    {
        if (state.Read<FilterState>(PreFilterKey) is not { } s || node.Node is not { } n)
        {
            return null;
        }

        var labels = n.Metadata.Labels ?? new Dictionary<string, string>();
        if (other.HasRequiredAntiAffinity)
        {
            foreach (var term in AffinityTerm.Required(other.Pod, anti: true))
            {
                if (labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(pod, namespaceLabels))
                {
                    Add(s.ExistingAntiAffinityCounts, (term.TopologyKey, value), delta);
                }
            }
        }

        if (s.Affinity.Count > 0 && s.Affinity.All(t => t.Matches(other.Pod, namespaceLabels)))
        {
            foreach (var term in s.Affinity)
            {
                if (labels.TryGetValue(term.TopologyKey, out var value))
                {
                    Add(s.AffinityCounts, (term.TopologyKey, value), delta);
                }
            }
        }

        foreach (var term in s.AntiAffinity)
        {
            if (labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(other.Pod, namespaceLabels))
            {
                Add(s.AntiAffinityCounts, (term.TopologyKey, value), delta);
            }
        }

        return null;
    }

    // A count that drops to zero is removed: "no pod anywhere matches" is an empty map.
    private static void Add(Dictionary<(string, string), int> counts, (string, string) key, int delta)
    {
        var count = counts.GetValueOrDefault(key) + delta;
        if (count == 0)
        {
            counts.Remove(key);
        }
        else
        {
            counts[key] = count;
        }
    }
}
