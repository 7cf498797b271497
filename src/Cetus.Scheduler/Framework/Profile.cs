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

        return (names, null);
    }

    /// <summary>Runs the filters on one node until one rejects it.</summary>
    public Status? RunFilter(CycleState state, V1Pod pod, NodeInfo node)
    {
        foreach (var plugin in Filter)
        {
            if (state.SkipFilterPlugins.Contains(plugin.Name))
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

    public (string? NominatedNode, Status? Status) RunPostFilter(CycleState state, V1Pod pod, IReadOnlyDictionary<string, Status> filterStatuses)
    {
        Status? last = null;
        foreach (var plugin in PostFilter)
        {
            var (nominated, status) = plugin.PostFilter(state, pod, filterStatuses);
            if (status is null || status.IsSuccess)
            {
                return (nominated, status);
            }

            status.Plugin = plugin.Name;
            last = status;
            if (status.Code is not (Code.Unschedulable or Code.UnschedulableAndUnresolvable))
            {
                return (null, status);
            }
        }

        return (null, last);
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
    /// Scores every node with every Score plugin, normalizes, applies weights and returns each node's total; when
    /// <paramref name="perPlugin"/> is given, each plugin's normalized scores are added to it (the decision record).
    /// </summary>
    public (List<NodeScore> Totals, Status? Status) RunScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes, List<(string Plugin, int Weight, List<NodeScore> Scores)>? perPlugin = null)
    {
        var totals = nodes.Select(n => new NodeScore(n.Name, 0)).ToList();
        foreach (var (plugin, weight) in Score)
        {
            if (state.SkipScorePlugins.Contains(plugin.Name))
            {
                continue;
            }

            var scores = new List<NodeScore>(nodes.Count);
            foreach (var node in nodes)
            {
                var (score, status) = plugin.Score(state, pod, node);
                if (status is not null && !status.IsSuccess)
                {
                    status.Plugin = plugin.Name;
                    return (totals, status);
                }

                scores.Add(new NodeScore(node.Name, score));
            }

            var normalized = plugin.NormalizeScore(state, pod, scores);
            if (normalized is not null && !normalized.IsSuccess)
            {
                normalized.Plugin = plugin.Name;
                return (totals, normalized);
            }

            for (var i = 0; i < scores.Count; i++)
            {
                if (scores[i].Score is < 0 or > IScorePlugin.MaxNodeScore)
                {
                    return (totals, Status.Error($"plugin \"{plugin.Name}\" returns an invalid score {scores[i].Score}, it should in the range of [0, 100] after normalizing") );
                }

                totals[i].Score += scores[i].Score * weight;
            }

            perPlugin?.Add((plugin.Name, weight, scores));
        }

        return (totals, null);
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

    public Status? RunPermit(CycleState state, V1Pod pod, string nodeName)
    {
        foreach (var plugin in Permit)
        {
            var status = plugin.Permit(state, pod, nodeName);
            if (status is not null && !status.IsSuccess)
            {
                status.Plugin = plugin.Name;
                return status.Code == Code.Wait
                    ? new Status(Code.Unschedulable, $"plugin {plugin.Name} asked the pod to wait, which this scheduler does not support yet") { Plugin = plugin.Name }
                    : status;
            }
        }

        return null;
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
