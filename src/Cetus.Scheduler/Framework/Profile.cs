using System.Buffers;
using k8s.Models;

namespace Cetus.Scheduler.Framework;

/// <summary>
/// One scheduling profile (upstream frameworkImpl): the plugins enabled at each extension point, in order, and the
/// score weights; pods choose a profile by <c>spec.schedulerName</c>. Runs the extension points and stamps each
/// status with the plugin that returned it.
/// </summary>
internal sealed class Profile
{
    public required string SchedulerName { get; init; }

    public required IQueueSortPlugin QueueSort { get; init; }

    public IReadOnlyList<IPreEnqueuePlugin> PreEnqueue { get; init; } = [];

    public IReadOnlyList<IPreFilterPlugin> PreFilter { get; init; } = [];

    public IReadOnlyList<IFilterPlugin> Filter { get; init; } = [];

    public IReadOnlyList<IPostFilterPlugin> PostFilter { get; init; } = [];

    public IReadOnlyList<IPreScorePlugin> PreScore { get; init; } = [];

    public IReadOnlyList<(IScorePlugin Plugin, int Weight)> Score { get; init; } = [];

    public IReadOnlyList<IReservePlugin> Reserve { get; init; } = [];

    public IReadOnlyList<IPermitPlugin> Permit { get; init; } = [];

    public IReadOnlyList<IPreBindPlugin> PreBind { get; init; } = [];

    public IReadOnlyList<IBindPlugin> Bind { get; init; } = [];

    /// <summary>The pods waiting on Permit, shared by the scheduler's profiles and handed to plugins.</summary>
    public WaitingPods WaitingPods { get; init; } = new();

    /// <summary>The share of nodes to find feasible before scoring; null or 0 means adaptive (50 − nodes/125 %, at least 5 %).</summary>
    public int? PercentageOfNodesToScore { get; init; }

    /// <summary>Every plugin of the profile, once.</summary>
    public IEnumerable<IPlugin> AllPlugins =>
        new IPlugin[] { QueueSort }.Concat(PreEnqueue).Concat(PreFilter).Concat(Filter).Concat(PostFilter).Concat(PreScore)
            .Concat(Score.Select(s => s.Plugin)).Concat(Reserve).Concat(Permit).Concat(PreBind).Concat(Bind).Distinct();

    /// <summary>
    /// Runs the PreFilter plugins. A rejection ends the cycle for every node; the node sets the plugins return
    /// are intersected.
    /// </summary>
    public (IReadOnlySet<string>? NodeNames, Status? Status) RunPreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        HashSet<string>? names = null;
        foreach (var plugin in PreFilter)
        {
            var (result, status) = plugin.PreFilter(state, pod, nodes);
            if (status is { Code: Code.Skip })
            {
                state.SkipFilterPlugins.Add(plugin.Name);
                continue;
            }

            if (status is not null && !status.IsSuccess)
            {
                status.Plugin = plugin.Name;
                return (null, status);
            }

            if (result?.NodeNames is { } some)
            {
                names = names is null ? [.. some] : [.. names.Intersect(some)];
                if (names.Count == 0)
                {
                    return (names, new Status(Code.UnschedulableAndUnresolvable, "node(s) didn't satisfy plugin(s) [" + plugin.Name + "] simultaneously") { Plugin = plugin.Name });
                }
            }
        }

        state.Filters = state.SkipFilterPlugins.Count == 0 ? Filter : [.. Filter.Where(f => !state.SkipFilterPlugins.Contains(f.Name))];
        return (names, null);
    }

    /// <summary>Runs the filters on one node until one rejects it.</summary>
    public Status? RunFilter(CycleState state, V1Pod pod, NodeInfo node)
    {
        var filters = state.Filters;
        var count = filters?.Count ?? Filter.Count;
        for (var i = 0; i < count; i++)
        {
            var plugin = filters is null ? Filter[i] : filters[i];
            if (filters is null && state.SkipFilterPlugins.Contains(plugin.Name))
            {
                continue;
            }

            var status = plugin.Filter(state, pod, node);
            if (status is not null && !status.IsSuccess)
            {
                status.Plugin = plugin.Name;
                return status;
            }
        }

        return null;
    }

    /// <summary>
    /// Runs the filters on one node counting the pods nominated to it (upstream RunFilterPluginsWithNominatedPods):
    /// first with the nominated pods of priority at least the pod's added to a copy of the node (and to a clone of
    /// the cycle state through the PreFilter extensions), then, if any were added and the node passed, once more
    /// without them, because a filter like pod affinity may pass only thanks to a nominated pod that may never come.
    /// </summary>
    public Status? RunFilterWithNominatedPods(CycleState state, V1Pod pod, NodeInfo node, Queue.Nominator? nominator)
    {
        Status? status = null;
        var podsAdded = false;
        for (var i = 0; i < 2; i++)
        {
            var stateToUse = state;
            var nodeToUse = node;
            if (i == 0)
            {
                var (added, addedState, addedNode, error) = AddNominatedPods(state, pod, node, nominator);
                if (error is not null)
                {
                    return error;
                }

                (podsAdded, stateToUse, nodeToUse) = (added, addedState, addedNode);
            }
            else if (!podsAdded || status is not null)
            {
                break;
            }

            status = RunFilter(stateToUse, pod, nodeToUse);
            if (status is not null && !status.IsRejected)
            {
                return status;
            }
        }

        return status;
    }

    /// <summary>Tells the PreFilter plugins that <paramref name="podToAdd"/> was added to a copy of the node (upstream RunPreFilterExtensionAddPod).</summary>
    public Status? RunPreFilterExtensionAddPod(CycleState state, V1Pod pod, PodInfo podToAdd, NodeInfo node) =>
        RunPreFilterExtension(state, "AddPod", plugin => plugin.AddPod(state, pod, podToAdd, node));

    /// <summary>Tells the PreFilter plugins that <paramref name="podToRemove"/> was removed from a copy of the node (upstream RunPreFilterExtensionRemovePod).</summary>
    public Status? RunPreFilterExtensionRemovePod(CycleState state, V1Pod pod, PodInfo podToRemove, NodeInfo node) =>
        RunPreFilterExtension(state, "RemovePod", plugin => plugin.RemovePod(state, pod, podToRemove, node));

    private Status? RunPreFilterExtension(CycleState state, string what, Func<IPreFilterExtensions, Status?> run)
    {
        foreach (var plugin in PreFilter)
        {
            if (plugin is not IPreFilterExtensions extensions || state.SkipFilterPlugins.Contains(plugin.Name))
            {
                continue;
            }

            var status = run(extensions);
            if (status is not null && !status.IsSuccess)
            {
                return new Status(Code.Error, $"running {what} on PreFilter plugin \"{plugin.Name}\": {status.Message}") { Plugin = plugin.Name };
            }
        }

        return null;
    }

    // Upstream addGENominatedPods: the pods nominated to the node with at least the pod's priority, on copies.
    private (bool Added, CycleState State, NodeInfo Node, Status? Error) AddNominatedPods(CycleState state, V1Pod pod, NodeInfo node, Queue.Nominator? nominator)
    {
        if (nominator is null || !nominator.Any || node.Node is null)
        {
            return (false, state, node, null);
        }

        var nominated = nominator.NominatedPodsForNode(node.Name);
        if (nominated.Count == 0)
        {
            return (false, state, node, null);
        }

        var priority = pod.Spec?.Priority ?? 0;
        NodeInfo? nodeOut = null;
        CycleState? stateOut = null;
        foreach (var info in nominated)
        {
            if ((info.Pod.Spec?.Priority ?? 0) < priority || info.Pod.Metadata.Uid == pod.Metadata.Uid)
            {
                continue;
            }

            nodeOut ??= node.Clone();
            stateOut ??= state.Clone();
            nodeOut.AddPod(info);
            var status = RunPreFilterExtensionAddPod(stateOut, pod, info, nodeOut);
            if (status is not null)
            {
                return (false, state, node, status);
            }
        }

        return nodeOut is null ? (false, state, node, null) : (true, stateOut!, nodeOut, null);
    }

    public (string? NominatedNode, Status? Status) RunPostFilter(CycleState state, V1Pod pod, IReadOnlyDictionary<string, Status> filterStatuses)
    {
        Status? last = null;
        string? lastNominated = null;
        foreach (var plugin in PostFilter)
        {
            var (nominated, status) = plugin.PostFilter(state, pod, filterStatuses);
            if (status is null || status.IsSuccess)
            {
                return (nominated, status);
            }

            status.Plugin = plugin.Name;
            last = status;
            lastNominated = nominated ?? lastNominated;
            if (status.Code is not (Code.Unschedulable or Code.UnschedulableAndUnresolvable))
            {
                return (null, status);
            }
        }

        return (lastNominated, last);
    }

    public Status? RunPreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        foreach (var plugin in PreScore)
        {
            var status = plugin.PreScore(state, pod, nodes);
            if (status is { Code: Code.Skip })
            {
                state.SkipScorePlugins.Add(plugin.Name);
                continue;
            }

            if (status is not null && !status.IsSuccess)
            {
                status.Plugin = plugin.Name;
                return status;
            }
        }

        return null;
    }

    /// <summary>
    /// Scores every node with every Score plugin, normalizes, applies weights and writes each node's total into
    /// <paramref name="totals"/> (in the order of <paramref name="nodes"/>; at least as long); when
    /// <paramref name="perPlugin"/> is given, each plugin's normalized scores (0 to 100, so a byte each) are added to
    /// it (the decision record). Returns the first failure, null when every plugin scored.
    /// </summary>
    public Status? RunScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes, Span<long> totals, List<(string Plugin, int Weight, byte[] Scores)>? perPlugin = null)
    {
        totals[..nodes.Count].Clear();
        var buffer = ArrayPool<NodeScore>.Shared.Rent(nodes.Count);
        try
        {
            var scores = buffer.AsSpan(0, nodes.Count);
            foreach (var (plugin, weight) in Score)
            {
                if (state.SkipScorePlugins.Contains(plugin.Name))
                {
                    continue;
                }

                for (var i = 0; i < scores.Length; i++)
                {
                    var node = nodes[i];
                    var (score, status) = plugin.Score(state, pod, node);
                    if (status is not null && !status.IsSuccess)
                    {
                        status.Plugin = plugin.Name;
                        return status;
                    }

                    scores[i] = new NodeScore(node.Name, score);
                }

                var normalized = plugin.NormalizeScore(state, pod, scores);
                if (normalized is not null && !normalized.IsSuccess)
                {
                    normalized.Plugin = plugin.Name;
                    return normalized;
                }

                var kept = perPlugin is null ? null : new byte[scores.Length];
                for (var i = 0; i < scores.Length; i++)
                {
                    var score = scores[i].Score;
                    if (score is < 0 or > IScorePlugin.MaxNodeScore)
                    {
                        return Status.Error($"plugin \"{plugin.Name}\" returns an invalid score {score}, it should in the range of [0, 100] after normalizing");
                    }

                    totals[i] += score * weight;
                    if (kept is not null)
                    {
                        kept[i] = (byte)score;
                    }
                }

                if (kept is not null)
                {
                    perPlugin!.Add((plugin.Name, weight, kept));
                }
            }

            return null;
        }
        finally
        {
            Array.Clear(buffer, 0, nodes.Count);
            ArrayPool<NodeScore>.Shared.Return(buffer);
        }
    }

    public Status? RunReserve(CycleState state, V1Pod pod, string nodeName)
    {
        foreach (var plugin in Reserve)
        {
            var status = plugin.Reserve(state, pod, nodeName);
            if (status is not null && !status.IsSuccess)
            {
                status.Plugin = plugin.Name;
                return status;
            }
        }

        return null;
    }

    /// <summary>Undoes Reserve, in reverse order.</summary>
    public void RunUnreserve(CycleState state, V1Pod pod, string nodeName)
    {
        for (var i = Reserve.Count - 1; i >= 0; i--)
        {
            Reserve[i].Unreserve(state, pod, nodeName);
        }
    }

    /// <summary>
    /// Runs the Permit plugins (upstream RunPermitPlugins): the first rejection wins; an error stops; when some asked
    /// to wait and none rejected, the pod is parked in <see cref="WaitingPods"/> (one timer per waiting plugin) and
    /// the answer is Wait: the binding cycle then blocks in <see cref="WaitOnPermitAsync"/>.
    /// </summary>
    public Status? RunPermit(CycleState state, V1Pod pod, string nodeName)
    {
        Dictionary<string, TimeSpan>? waits = null;
        foreach (var plugin in Permit)
        {
            var (status, timeout) = plugin.Permit(state, pod, nodeName);
            if (status is null || status.IsSuccess)
            {
                continue;
            }

            status.Plugin = plugin.Name;
            if (status.IsRejected)
            {
                return status;
            }

            if (status.Code != Code.Wait)
            {
                return new Status(Code.Error, $"running Permit plugin \"{plugin.Name}\": {status.Message}") { Plugin = plugin.Name };
            }

            waits ??= new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
            waits[plugin.Name] = timeout > WaitingPods.MaxTimeout ? WaitingPods.MaxTimeout : timeout;
        }

        if (waits is null)
        {
            return null;
        }

        WaitingPods.Add(pod, nodeName, waits);
        return new Status(Code.Wait, $"one or more plugins asked to wait and no plugin rejected pod \"{pod.Metadata.Name}\"");
    }

    /// <summary>
    /// Blocks the binding cycle of a pod parked by Permit until it is allowed (null) or rejected (upstream
    /// WaitOnPermit); a pod that does not wait passes at once.
    /// </summary>
    public async Task<Status?> WaitOnPermitAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        if (WaitingPods.Get(WaitingPods.UidOf(pod)) is not { } waiting)
        {
            return null;
        }

        try
        {
            var status = await waiting.Result.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (status is null || status.IsSuccess || status.IsRejected)
            {
                return status;
            }

            return new Status(Code.Error, "waiting on permit for pod: " + status.Message) { Plugin = status.Plugin };
        }
        finally
        {
            WaitingPods.Remove(pod);
        }
    }

    public async Task<Status?> RunPreBindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        foreach (var plugin in PreBind)
        {
            var status = await plugin.PreBindAsync(state, pod, nodeName, cancellationToken).ConfigureAwait(false);
            if (status is not null && !status.IsSuccess)
            {
                status.Plugin = plugin.Name;
                return status;
            }
        }

        return null;
    }

    public async Task<Status?> RunBindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        foreach (var plugin in Bind)
        {
            var status = await plugin.BindAsync(state, pod, nodeName, cancellationToken).ConfigureAwait(false);
            if (status is { Code: Code.Skip })
            {
                continue;
            }

            if (status is not null && !status.IsSuccess)
            {
                status.Plugin = plugin.Name;
            }

            return status;
        }

        return Status.Error("no bind plugin bound the pod");
    }
}
