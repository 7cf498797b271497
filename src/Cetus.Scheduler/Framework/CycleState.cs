namespace Cetus.Scheduler.Framework;

/// <summary>
/// What plugins hand to their own later extension points within one scheduling cycle (PreFilter computes, Filter
/// reads). Filters may run in parallel over nodes, so plugins only read state after PreFilter/PreScore wrote it.
/// </summary>
internal sealed class CycleState
{
    /// <summary>Every node of the cycle's snapshot (PreScore sees only the feasible ones; spreading counts all).</summary>
    public const string AllNodesKey = "AllNodes";

    /// <summary>The profile's filters as a <see cref="FilterRunner"/>, for PostFilter plugins that simulate (preemption).</summary>
    public const string FilterRunnerKey = "FilterRunner";

    private readonly Dictionary<string, object> _data = new(StringComparer.Ordinal);
    private readonly HashSet<string> _skipFilter = new(StringComparer.Ordinal);
    private readonly HashSet<string> _skipScore = new(StringComparer.Ordinal);

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

    /// <summary>Plugins whose PreScore returned Skip: their Score does not run this cycle.</summary>
    public ISet<string> SkipScorePlugins => _skipScore;
}

/// <summary>Runs every Filter plugin of the cycle's profile on one node (upstream RunFilterPluginsWithNominatedPods).</summary>
internal sealed record FilterRunner(Func<CycleState, k8s.Models.V1Pod, NodeInfo, Status?> Run);
