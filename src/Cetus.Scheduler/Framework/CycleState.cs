namespace Cetus.Scheduler.Framework;

/// <summary>
/// What plugins hand to their own later extension points within one scheduling cycle (PreFilter computes, Filter
/// reads). Filters may run in parallel over nodes, so plugins only read state after PreFilter/PreScore wrote it.
/// </summary>
internal sealed class CycleState
{
    /// <summary>Every node of the cycle's snapshot (PreScore sees only the feasible ones; spreading counts all).</summary>
    public const string AllNodesKey = "AllNodes";

    /// <summary>
    /// The nodes of the snapshot with at least one pod that has pod affinity or anti-affinity (upstream
    /// HavePodsWithAffinityList): a pod without such terms of its own need look at no other node.
    /// </summary>
    public const string NodesWithAffinityPodsKey = "NodesWithAffinityPods";

    /// <summary>The nodes of the snapshot with at least one pod that has required anti-affinity (upstream HavePodsWithRequiredAntiAffinityList).</summary>
    public const string NodesWithRequiredAntiAffinityPodsKey = "NodesWithRequiredAntiAffinityPods";

    /// <summary>The profile's filters as a <see cref="FilterRunner"/>, for PostFilter plugins that simulate (preemption).</summary>
    public const string FilterRunnerKey = "FilterRunner";

    private readonly Dictionary<string, object> _data = new(StringComparer.Ordinal);
    private readonly HashSet<string> _skipFilter = new(StringComparer.Ordinal);
    private readonly HashSet<string> _skipScore = new(StringComparer.Ordinal);

    /// <summary>
    /// A copy to change without touching this one (upstream CycleState.Clone): values that implement
    /// <see cref="IStateData"/> are cloned, others (read-only once written) are shared.
    /// </summary>
    public CycleState Clone()
    {
        var clone = new CycleState();
        lock (_data)
        {
            foreach (var (key, value) in _data)
            {
                clone._data[key] = value is IStateData data ? data.Clone() : value;
            }
        }

        clone._skipFilter.UnionWith(_skipFilter);
        clone.Filters = Filters;
        clone._skipScore.UnionWith(_skipScore);
        return clone;
    }

    public void Write(string key, object value)
    {
        lock (_data)
        {
            _data[key] = value;
        }
    }

    public T? Read<T>(string key)
        where T : class
    {
        lock (_data)
        {
            return _data.GetValueOrDefault(key) as T;
        }
    }

    /// <summary>Plugins whose PreFilter returned Skip: their Filter does not run this cycle.</summary>
    public ISet<string> SkipFilterPlugins => _skipFilter;

    /// <summary>
    /// The filters that run this cycle, set once PreFilter has run: the profile's less those skipped, so that each
    /// node's filtering need not look the skipped ones up (null: look them up).
    /// </summary>
    public IReadOnlyList<IFilterPlugin>? Filters { get; set; }

    /// <summary>Plugins whose PreScore returned Skip: their Score does not run this cycle.</summary>
    public ISet<string> SkipScorePlugins => _skipScore;
}

/// <summary>
/// Cycle state a plugin changes after PreFilter (through <see cref="IPreFilterExtensions"/>): it must be cloned
/// when the framework copies the state to try a changed node (nominated pods, preemption victims).
/// </summary>
internal interface IStateData
{
    IStateData Clone();
}

/// <summary>
/// What PostFilter plugins that simulate (preemption) get from the cycle's profile: the filters with nominated pods
/// counted (upstream RunFilterPluginsWithNominatedPods) and the PreFilter extensions that keep PreFilter state true
/// when a pod is removed from or added to a node copy.
/// </summary>
internal sealed record FilterRunner(
    Func<CycleState, k8s.Models.V1Pod, NodeInfo, Status?> Run,
    Func<CycleState, k8s.Models.V1Pod, PodInfo, NodeInfo, Status?>? AddPod = null,
    Func<CycleState, k8s.Models.V1Pod, PodInfo, NodeInfo, Status?>? RemovePod = null);
