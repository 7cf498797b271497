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

    private readonly Lock _lock = new();
    private readonly HashSet<string> _skipFilter = new(StringComparer.Ordinal);
    private readonly HashSet<string> _skipScore = new(StringComparer.Ordinal);

    // The values by key, replaced (never changed in place) on every write: a cycle writes about ten values and reads
    // them for each of hundreds of nodes, so reads scan a short array without a lock and keys that are the same
    // constant string match by reference before any comparison of characters.
    private Entry[] _entries = [];

    /// <summary>
    /// A copy to change without touching this one (upstream CycleState.Clone): values that implement
    /// <see cref="IStateData"/> are cloned, others (read-only once written) are shared.
    /// </summary>
    public CycleState Clone()
    {
        var entries = Volatile.Read(ref _entries);
        var clone = new CycleState { _entries = new Entry[entries.Length] };
        for (var i = 0; i < entries.Length; i++)
        {
            var (key, value) = entries[i];
            clone._entries[i] = new Entry(key, value is IStateData data ? data.Clone() : value);
        }

        clone._skipFilter.UnionWith(_skipFilter);
        clone.Filters = Filters;
        clone._skipScore.UnionWith(_skipScore);
        return clone;
    }

    public void Write(string key, object value)
    {
        lock (_lock)
        {
            var entries = _entries;
            var index = IndexOf(entries, key);
            var copy = new Entry[index < 0 ? entries.Length + 1 : entries.Length];
            entries.CopyTo(copy, 0);
            copy[index < 0 ? entries.Length : index] = new Entry(key, value);
            Volatile.Write(ref _entries, copy);
        }
    }

    public T? Read<T>(string key)
        where T : class
    {
        var entries = Volatile.Read(ref _entries);
        var index = IndexOf(entries, key);
        return index < 0 ? null : entries[index].Value as T;
    }

    private readonly record struct Entry(string Key, object Value);

    private static int IndexOf(Entry[] entries, string key)
    {
        for (var i = 0; i < entries.Length; i++)
        {
            if (ReferenceEquals(entries[i].Key, key))
            {
                return i;
            }
        }

        for (var i = 0; i < entries.Length; i++)
        {
            if (string.Equals(entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
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
