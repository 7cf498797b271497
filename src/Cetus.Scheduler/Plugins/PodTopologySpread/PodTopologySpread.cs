using Cetus.Api.Validation;
using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Plugins.NodeAffinity;
using Cetus.Scheduler.Plugins.TaintToleration;
using k8s.Models;

namespace Cetus.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// Spreads pods that match a selector over topology domains (zones, nodes…). DoNotSchedule constraints filter: a
/// node is rejected when placing the pod there would make its domain exceed the least-loaded domain by more than
/// maxSkew (the least counts as 0 while fewer than minDomains domains exist). ScheduleAnyway constraints score:
/// fewer matching pods in the node's domain is better, weighted by log(domains + 2).
/// </summary>
internal sealed class PodTopologySpread(Func<V1Pod, V1LabelSelector?> defaultSelector) : IPreFilterExtensions, IFilterPlugin, IPreScorePlugin, IScorePlugin, IEnqueueExtensions
{
    public const string PluginName = "PodTopologySpread";

    /// <summary>Upstream ErrReasonConstraintsNotMatch.</summary>
    public const string ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";

    /// <summary>Upstream ErrReasonNodeLabelNotMatch.</summary>
    public const string ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + " (missing required label)";

    private const string PreFilterKey = "PreFilter" + PluginName;
    private const string PreScoreKey = "PreScore" + PluginName;
    private const string Hostname = "kubernetes.io/hostname";

    /// <summary>
    /// Kubernetes' system default constraints (upstream systemDefaultConstraints): for pods without constraints of
    /// their own that belong to a Service or ReplicaSet (<see cref="DefaultSelector"/>), scoring spreads them
    /// over hosts (maxSkew 3) and zones (maxSkew 5).
    /// </summary>
    public static readonly IReadOnlyList<(int MaxSkew, string TopologyKey)> SystemDefaultConstraints =
        [(3, Hostname), (5, "topology.kubernetes.io/zone")];

    public PodTopologySpread()
        : this(_ => null)
    {
    }

    public string Name => PluginName;

    /// <summary>A constraint with its selector resolved (matchLabelKeys folded in).</summary>
    internal sealed record Constraint(int MaxSkew, string TopologyKey, int MinDomains, V1LabelSelector Selector, bool HonorAffinity, bool HonorTaints);

    private sealed class FilterState : IStateData
    {
        public List<Constraint> Constraints { get; init; } = [];

        public Dictionary<(string Key, string Value), int> Counts { get; private init; } = [];

        /// <summary>Per constraint: the smallest count over its domains (0 when fewer than minDomains domains exist).</summary>
        public int[] MinMatch { get; set; } = [];

        public IStateData Clone() => new FilterState { Constraints = Constraints, Counts = new(Counts), MinMatch = [.. MinMatch] };

        public void ComputeMinMatch()
        {
            MinMatch = new int[Constraints.Count];
            for (var i = 0; i < Constraints.Count; i++)
            {
                var key = Constraints[i].TopologyKey;
                var domains = Counts.Where(kv => kv.Key.Key == key).Select(kv => kv.Value).ToList();
                MinMatch[i] = domains.Count == 0 || domains.Count < Constraints[i].MinDomains ? 0 : domains.Min();
            }
        }
    }

    private sealed class ScoreState
    {
        public List<Constraint> Constraints { get; init; } = [];

        public Dictionary<(string Key, string Value), int> Counts { get; } = [];

        public HashSet<string> IgnoredNodes { get; } = new(StringComparer.Ordinal);

        public double[] Weights { get; set; } = [];
    }

    public (PreFilterResult? Result, Status? Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var constraints = Constraints(pod, "DoNotSchedule");
        if (constraints.Count == 0)
        {
            return (null, Status.Skip());
        }

        var s = new FilterState { Constraints = constraints };
        foreach (var node in nodes)
        {
            if (node.Node is not { } n || !HasAllKeys(n, constraints))
            {
                continue;
            }

            foreach (var c in constraints)
            {
                if (!Eligible(c, pod, n))
                {
                    continue;
                }

                var pair = (c.TopologyKey, n.Metadata.Labels[c.TopologyKey]);
                s.Counts[pair] = s.Counts.GetValueOrDefault(pair) + CountMatching(node, c.Selector, pod.Metadata.NamespaceProperty);
            }
        }

        s.ComputeMinMatch();
        state.Write(PreFilterKey, s);
        return (null, null);
    }

    /// <summary>A pod was added to a copy of a node (a nominated pod): count it in the node's domains.</summary>
    public Status? AddPod(CycleState state, V1Pod podToSchedule, PodInfo podToAdd, NodeInfo node) => UpdateWithPod(state, podToSchedule, podToAdd, node, 1);

    /// <summary>A pod was removed from a copy of a node (a preemption victim): uncount it.</summary>
    public Status? RemovePod(CycleState state, V1Pod podToSchedule, PodInfo podToRemove, NodeInfo node) => UpdateWithPod(state, podToSchedule, podToRemove, node, -1);

    // Upstream updateWithPod: the pod counts in each domain of the node whose constraint selects it, as in PreFilter.
    private static Status? UpdateWithPod(CycleState state, V1Pod pod, PodInfo other, NodeInfo node, int delta)
    {
        if (state.Read<FilterState>(PreFilterKey) is not { } s || node.Node is not { } n || other.Pod.Metadata.DeletionTimestamp is not null
            || other.Pod.Metadata.NamespaceProperty != pod.Metadata.NamespaceProperty || !HasAllKeys(n, s.Constraints))
        {
            return null;
        }

        foreach (var c in s.Constraints)
        {
            if (Eligible(c, pod, n) && LabelSelectors.Matches(c.Selector, other.Pod.Metadata.Labels))
            {
                var pair = (c.TopologyKey, n.Metadata.Labels[c.TopologyKey]);
                s.Counts[pair] = s.Counts.GetValueOrDefault(pair) + delta;
            }
        }

        s.ComputeMinMatch();
        return null;
    }

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        if (state.Read<FilterState>(PreFilterKey) is not { } s || node.Node is not { } n)
        {
            return null;
        }

        var labels = n.Metadata.Labels ?? new Dictionary<string, string>();
        for (var i = 0; i < s.Constraints.Count; i++)
        {
            var c = s.Constraints[i];
            if (!labels.TryGetValue(c.TopologyKey, out var value))
            {
                return Status.Unresolvable(ErrReasonNodeLabelNotMatch);
            }

            var self = LabelSelectors.Matches(c.Selector, pod.Metadata.Labels) ? 1 : 0;
            var skew = s.Counts.GetValueOrDefault((c.TopologyKey, value)) + self - s.MinMatch[i];
            if (skew > c.MaxSkew)
            {
                return Status.Unschedulable(ErrReasonConstraintsNotMatch);
            }
        }

        return null;
    }

    public Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var constraints = Constraints(pod, "ScheduleAnyway");

        // A pod's own constraints need every node to carry all their keys; the system defaults apply key by key.
        var requireAllTopologies = true;
        if (constraints.Count == 0 && (pod.Spec?.TopologySpreadConstraints?.Count ?? 0) == 0 && defaultSelector(pod) is { } selector)
        {
            constraints = [.. SystemDefaultConstraints.Select(d => new Constraint(d.MaxSkew, d.TopologyKey, 1, selector, HonorAffinity: true, HonorTaints: false))];
            requireAllTopologies = false;
        }

        if (constraints.Count == 0)
        {
            return Status.Skip();
        }

        var s = new ScoreState { Constraints = constraints };
        var domains = new HashSet<(string, string)>();
        foreach (var node in nodes)
        {
            if (node.Node is not { } n || (requireAllTopologies ? !HasAllKeys(n, constraints) : !HasAnyKey(n, constraints)))
            {
                s.IgnoredNodes.Add(node.Name);
                continue;
            }

            foreach (var c in constraints)
            {
                if (n.Metadata.Labels.TryGetValue(c.TopologyKey, out var value))
                {
                    domains.Add((c.TopologyKey, value));
                    s.Counts.TryAdd((c.TopologyKey, value), 0);
                }
            }
        }

        // Count the matching pods of every eligible node of the cluster, in the domains the feasible nodes are in.
        foreach (var node in Snapshot(state) ?? nodes)
        {
            if (node.Node is not { } n || (requireAllTopologies && !HasAllKeys(n, constraints)))
            {
                continue;
            }

            foreach (var c in constraints)
            {
                if (c.TopologyKey != Hostname && n.Metadata.Labels?.TryGetValue(c.TopologyKey, out var value) == true &&
                    s.Counts.ContainsKey((c.TopologyKey, value)) && Eligible(c, pod, n))
                {
                    s.Counts[(c.TopologyKey, value)] += CountMatching(node, c.Selector, pod.Metadata.NamespaceProperty);
                }
            }
        }

        s.Weights = [.. constraints.Select(c => Math.Log((c.TopologyKey == Hostname ? nodes.Count - s.IgnoredNodes.Count : domains.Count(d => d.Item1 == c.TopologyKey)) + 2))];
        state.Write(PreScoreKey, s);
        return null;
    }

    public (long Score, Status? Status) Score(CycleState state, V1Pod pod, NodeInfo node)
    {
        if (state.Read<ScoreState>(PreScoreKey) is not { } s || node.Node is not { } n || s.IgnoredNodes.Contains(node.Name))
        {
            return (0, null);
        }

        double score = 0;
        for (var i = 0; i < s.Constraints.Count; i++)
        {
            var c = s.Constraints[i];
            if (n.Metadata.Labels?.TryGetValue(c.TopologyKey, out var value) != true)
            {
                continue;
            }

            var count = c.TopologyKey == Hostname ? CountMatching(node, c.Selector, pod.Metadata.NamespaceProperty) : s.Counts.GetValueOrDefault((c.TopologyKey, value!));
            score += (count * s.Weights[i]) + (c.MaxSkew - 1);
        }

        return ((long)Math.Round(score), null);
    }

    /// <summary>Fewer matching pods is better: the lowest raw score becomes 100; ignored nodes get 0.</summary>
    public Status? NormalizeScore(CycleState state, V1Pod pod, Span<NodeScore> scores)
    {
        if (state.Read<ScoreState>(PreScoreKey) is not { } s)
        {
            return null;
        }

        long min = long.MaxValue, max = 0;
        foreach (var score in scores)
        {
            if (!s.IgnoredNodes.Contains(score.Name))
            {
                min = Math.Min(min, score.Score);
                max = Math.Max(max, score.Score);
            }
        }

        foreach (ref var score in scores)
        {
            if (s.IgnoredNodes.Contains(score.Name))
            {
                score.Score = 0;
            }
            else
            {
                score.Score = max == 0 ? IScorePlugin.MaxNodeScore : IScorePlugin.MaxNodeScore * (max + min - score.Score) / max;
            }
        }

        return null;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
    [
        new(EventResource.AssignedPod, ActionType.Add | ActionType.Delete | ActionType.UpdatePodLabel, "AssignedPodChange"),
        new(EventResource.Node, ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint, "NodeChange"),
        new(EventResource.UnschedulablePod, ActionType.UpdatePodLabel, "PodLabel"),
    ];

    /// <summary>The pod's constraints with this whenUnsatisfiable, with matchLabelKeys folded into the selector.</summary>
    internal static List<Constraint> Constraints(V1Pod pod, string whenUnsatisfiable)
    {
        var result = new List<Constraint>();
        foreach (var c in pod.Spec?.TopologySpreadConstraints ?? [])
        {
            if (c.WhenUnsatisfiable != whenUnsatisfiable || c.LabelSelector is null)
            {
                continue;
            }

            var selector = new V1LabelSelector
            {
                MatchLabels = c.LabelSelector.MatchLabels,
                MatchExpressions = [.. c.LabelSelector.MatchExpressions ?? []],
            };
            foreach (var key in c.MatchLabelKeys ?? [])
            {
                if (pod.Metadata.Labels?.TryGetValue(key, out var value) == true)
                {
                    selector.MatchExpressions.Add(new V1LabelSelectorRequirement { Key = key, OperatorProperty = "In", Values = [value] });
                }
            }

            result.Add(new Constraint(c.MaxSkew, c.TopologyKey, c.MinDomains ?? 1, selector, c.NodeAffinityPolicy != "Ignore", c.NodeTaintsPolicy == "Honor"));
        }

        return result;
    }

    /// <summary>Whether a node's domain counts for a constraint (nodeAffinityPolicy Honor by default, nodeTaintsPolicy Ignore).</summary>
    private static bool Eligible(Constraint c, V1Pod pod, V1Node node) =>
        (!c.HonorAffinity || NodeAffinity.NodeAffinity.Matches(pod, node)) &&
        (!c.HonorTaints || (node.Spec?.Taints ?? []).All(t => t.Effect is not ("NoSchedule" or "NoExecute") || Tolerations.Tolerates(pod.Spec?.Tolerations, t)));

    private static bool HasAllKeys(V1Node node, List<Constraint> constraints) =>
        constraints.All(c => node.Metadata.Labels?.ContainsKey(c.TopologyKey) == true);

    private static bool HasAnyKey(V1Node node, List<Constraint> constraints) =>
        constraints.Any(c => node.Metadata.Labels?.ContainsKey(c.TopologyKey) == true);

    private static int CountMatching(NodeInfo node, V1LabelSelector selector, string ns) =>
        node.Pods.Count(p => p.Pod.Metadata.DeletionTimestamp is null && p.Pod.Metadata.NamespaceProperty == ns && LabelSelectors.Matches(selector, p.Pod.Metadata.Labels));

    private static IReadOnlyList<NodeInfo>? Snapshot(CycleState state) => state.Read<IReadOnlyList<NodeInfo>>(CycleState.AllNodesKey);
}
