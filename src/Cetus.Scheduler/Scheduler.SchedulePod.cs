using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler;

/// <summary>Filtering and scoring: the node a pod goes to, or why none fits.</summary>
internal sealed partial class Scheduler
{
    /// <summary>
    /// Picks a node from the current snapshot: PreFilter, Filter (from where the last cycle stopped, until enough
    /// feasible nodes are found), PostFilter when none fits, then PreScore, Score and the best total (ties broken at
    /// random). Returns the node, or why none fits, or an error. When <paramref name="decision"/> is given, the node
    /// counts and scores are recorded in it (the rejections are in the FitError).
    /// </summary>
    internal (string? Host, FitError? FitError, string? Error) SchedulePod(Profile profile, CycleState state, V1Pod pod, Decisions.SchedulingDecision? decision = null)
    {
        var allNodes = _snapshot.List;
        if (decision is not null)
        {
            decision.Nodes.Total = allNodes.Count;
        }

        if (allNodes.Count == 0)
        {
            return (null, null, FitError.NoNodesAvailable);
        }

        state.Write(CycleState.AllNodesKey, allNodes);
        state.Write(CycleState.NodesWithAffinityPodsKey, _snapshot.WithAffinityPods);
        state.Write(CycleState.NodesWithRequiredAntiAffinityPodsKey, _snapshot.WithRequiredAntiAffinityPods);
        var nominator = _queue.Nominator;
        state.Write(CycleState.FilterRunnerKey, new FilterRunner(
            (s, p, n) => profile.RunFilterWithNominatedPods(s, p, n, nominator),
            profile.RunPreFilterExtensionAddPod,
            profile.RunPreFilterExtensionRemovePod));
        var fitError = new FitError { NumAllNodes = allNodes.Count };
        var (names, preFilterStatus) = profile.RunPreFilter(state, pod, allNodes);
        if (preFilterStatus is not null)
        {
            if (preFilterStatus.Code == Code.Error)
            {
                return (null, null, $"running PreFilter plugin \"{preFilterStatus.Plugin}\": {preFilterStatus.Message}");
            }

            if (names is null)
            {
                fitError.PreFilterMessage = preFilterStatus.Message;
                foreach (var node in allNodes)
                {
                    fitError.NodeToStatus[node.Name] = preFilterStatus;
                }
            }
            else
            {
                fitError.AbsentNodesStatus = preFilterStatus;
            }

            fitError.UnschedulablePlugins.Add(preFilterStatus.Plugin);
            return RunPostFilter(profile, state, pod, fitError);
        }

        IReadOnlyList<NodeInfo> nodes = allNodes;
        if (names is not null)
        {
            nodes = [.. names.Select(_snapshot.Get).Where(n => n?.Node is not null).Select(n => n!)];
            fitError.AbsentNodesStatus = new Status(Code.UnschedulableAndUnresolvable, "node(s) didn't satisfy plugin(s) [" + string.Join(", ", profile.PreFilter.Select(p => p.Name).Where(n => !state.SkipFilterPlugins.Contains(n))) + "]");
        }

        // A pod that preempted is tried on its nominated node first (upstream evaluateNominatedNode).
        if (pod.Status?.NominatedNodeName is { Length: > 0 } nominatedName && nodes.FirstOrDefault(n => n.Name == nominatedName) is { } nominated
            && profile.RunFilterWithNominatedPods(state, pod, nominated, _queue.Nominator) is null)
        {
            if (decision is not null)
            {
                decision.Nodes.Evaluated = decision.Nodes.Feasible = 1;
                decision.Nodes.NotEvaluated = nodes.Count - 1;
                decision.Note = "the node preemption nominated for this pod fits: it was chosen without evaluating the others";
            }

            return (nominated.Name, null, null);
        }

        var feasible = FindFeasible(profile, state, pod, nodes, fitError, out var filterError);
        if (decision is not null)
        {
            decision.Nodes.Evaluated = feasible.Count + fitError.NodeToStatus.Count;
            decision.Nodes.Feasible = feasible.Count;
            decision.Nodes.NotEvaluated = nodes.Count - decision.Nodes.Evaluated;
            Decisions.DecisionRecorder.Rejections(decision, fitError);
        }

        if (filterError is not null)
        {
            return (null, null, filterError);
        }

        if (feasible.Count == 0)
        {
            return RunPostFilter(profile, state, pod, fitError);
        }

        if (feasible.Count == 1)
        {
            if (decision is not null)
            {
                decision.Note = "only one node is feasible: scoring was skipped";
            }

            return (feasible[0].Name, null, null);
        }

        var preScore = profile.RunPreScore(state, pod, feasible);
        if (preScore is not null && !preScore.IsSuccess)
        {
            return (null, null, $"running PreScore plugin \"{preScore.Plugin}\": {preScore.Message}");
        }

        var perPlugin = decision is null ? null : new List<(string Plugin, int Weight, byte[] Scores)>();
        var pooled = System.Buffers.ArrayPool<long>.Shared.Rent(feasible.Count);
        try
        {
            var totals = pooled.AsSpan(0, feasible.Count);
            var scoreStatus = profile.RunScore(state, pod, feasible, totals, perPlugin);
            if (scoreStatus is not null)
            {
                return (null, null, $"running Score plugin \"{scoreStatus.Plugin}\": {scoreStatus.Message}");
            }

            if (decision is not null)
            {
                decision.SetScores(Decisions.DecisionRecorder.Scores(feasible, perPlugin!));
            }

            return (SelectHost(feasible, totals), null, null);
        }
        finally
        {
            System.Buffers.ArrayPool<long>.Shared.Return(pooled);
        }
    }

    // How many nodes ahead of the one being filtered to ask the processor to fetch (NodeInfo.Prefetch): a node's
    // filters take a few hundred nanoseconds, a read from memory one or two hundred.
    private const int PrefetchDistance = 4;

    /// <summary>Filters nodes starting at the round-robin index until enough feasible nodes are found.</summary>
    private List<NodeInfo> FindFeasible(Profile profile, CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes, FitError fitError, out string? error)
    {
        error = null;
        var toFind = NumFeasibleNodesToFind(profile.PercentageOfNodesToScore, nodes.Count);
        var feasible = new List<NodeInfo>(Math.Min(toFind, nodes.Count));
        var count = nodes.Count;
        var start = count == 0 ? 0 : _nextStartNodeIndex % count;
        var nominator = _queue.Nominator;
        // The snapshot's list is read as a span, and the indexes wrap without a division (a few of the per-node
        // nanoseconds at 5,000 nodes); a list of another kind (a PreFilter's subset) is copied once.
        var all = nodes is List<NodeInfo> list ? System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list) : [.. nodes];
        var index = start;
        var ahead = count == 0 ? 0 : (start + PrefetchDistance) % count;
        var processed = 0;
        while (processed < count && feasible.Count < toFind)
        {
            var node = all[index];
            NodeInfo.Prefetch(all[ahead]);
            index = index + 1 == count ? 0 : index + 1;
            ahead = ahead + 1 == count ? 0 : ahead + 1;
            processed++;
            var status = profile.RunFilterWithNominatedPods(state, pod, node, nominator);
            if (status is null)
            {
                feasible.Add(node);
                continue;
            }

            if (status.Code == Code.Error)
            {
                error = $"running \"{status.Plugin}\" filter plugin: {status.Message}";
                return [];
            }

            fitError.NodeToStatus[node.Name] = status;
            fitError.UnschedulablePlugins.Add(status.Plugin);
        }

        _nextStartNodeIndex = count == 0 ? 0 : (start + processed) % count;
        return feasible;
    }

    private (string? Host, FitError? FitError, string? Error) RunPostFilter(Profile profile, CycleState state, V1Pod pod, FitError fitError)
    {
        if (profile.PostFilter.Count > 0)
        {
            var (nominated, status) = profile.RunPostFilter(state, pod, fitError.NodeToStatus);
            if (status is { Code: Code.Error })
            {
                return (null, null, $"running PostFilter plugin \"{status.Plugin}\": {status.Message}");
            }

            if (status is not null && !status.IsSuccess)
            {
                fitError.PostFilterMessage = status.Message;
            }

            fitError.NominatedNode = nominated;
        }

        return (null, fitError, null);
    }

    /// <summary>The node with the highest total; among equals, each is equally likely (reservoir sampling).</summary>
    private string SelectHost(List<NodeInfo> nodes, ReadOnlySpan<long> totals)
    {
        var best = 0;
        var ties = 1;
        for (var i = 1; i < totals.Length; i++)
        {
            if (totals[i] > totals[best])
            {
                best = i;
                ties = 1;
            }
            else if (totals[i] == totals[best] && _random.Next(++ties) == 0)
            {
                best = i;
            }
        }

        return nodes[best].Name;
    }
}
