using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cetus.Scheduler.Decisions;

/// <summary>
/// The whole decision of one scheduling attempt of one pod (Cetus' own, beyond Kubernetes): each node a filter
/// rejected and why, the nodes not evaluated, and each feasible node's score from every Score plugin with its weight
/// and the total. Served as JSON by the API server at <c>/debug/scheduler/pods/NAMESPACE/NAME</c>; <c>cetus explain
/// pod</c> prints it.
/// </summary>
public sealed class SchedulingDecision
{
    /// <summary>The API version of the JSON form.</summary>
    public const string ApiVersionValue = "cetus.io/v1alpha1";

    /// <summary>The kind of the JSON form.</summary>
    public const string KindValue = "SchedulingDecision";

    /// <summary>The API version of this form.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; init; } = ApiVersionValue;

    /// <summary>The kind of this form.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; init; } = KindValue;

    /// <summary>The pod's namespace.</summary>
    [JsonPropertyName("namespace")]
    public required string Namespace { get; init; }

    /// <summary>The pod's name.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>The pod's uid.</summary>
    [JsonPropertyName("uid")]
    public required string Uid { get; init; }

    /// <summary>The profile (schedulerName) that made the attempt.</summary>
    [JsonPropertyName("schedulerName")]
    public required string SchedulerName { get; init; }

    /// <summary>When the attempt was made.</summary>
    [JsonPropertyName("time")]
    public required DateTimeOffset Time { get; init; }

    /// <summary>Scheduled, Unschedulable or Error.</summary>
    [JsonPropertyName("result")]
    public string Result { get; set; } = string.Empty;

    /// <summary>The node chosen (Scheduled), null otherwise.</summary>
    [JsonPropertyName("node")]
    public string? Node { get; set; }

    /// <summary>The FailedScheduling message, or the error; empty when scheduled.</summary>
    [JsonPropertyName("message")]
    public string Message { get; set; } = string.Empty;

    /// <summary>How the node was chosen when it was not by scoring (a single feasible node, the nominated node).</summary>
    [JsonPropertyName("note")]
    public string? Note { get; set; }

    /// <summary>How many nodes the attempt saw, checked and found feasible.</summary>
    [JsonPropertyName("nodes")]
    public NodeCounts Nodes { get; set; } = new();

    /// <summary>The nodes filters rejected, by node name.</summary>
    [JsonPropertyName("filtered")]
    public List<FilteredNode> Filtered { get; set; } = [];

    /// <summary>Nodes a PreFilter plugin ruled out as a group (they have no entry in <see cref="Filtered"/>).</summary>
    [JsonPropertyName("excludedByPreFilter")]
    public ExcludedNodes? ExcludedByPreFilter { get; set; }

    /// <summary>
    /// Each scored node, highest total first. A decision the scheduler records keeps its scores as a
    /// <see cref="ScoreTable"/> and builds this list when it is read (a new list on each read).
    /// </summary>
    [JsonPropertyName("scores")]
    public List<NodeScores> Scores
    {
        get => _scores ?? _table?.Rows() ?? (_scores = []);
        set
        {
            _scores = value;
            _table = null;
        }
    }

    /// <summary>The node preemption nominated, when it did.</summary>
    [JsonPropertyName("nominatedNode")]
    public string? NominatedNode { get; set; }

    /// <summary>What preemption said when it did not help.</summary>
    [JsonPropertyName("preemption")]
    public string? Preemption { get; set; }

    private List<NodeScores>? _scores;
    private ScoreTable? _table;

    /// <summary>Keeps the scores of an attempt in their compact form (<see cref="Scores"/> reads them).</summary>
    public void SetScores(ScoreTable table)
    {
        _table = table;
        _scores = null;
    }

    /// <summary>The JSON form.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Options);

    /// <summary>Reads the JSON form.</summary>
    public static SchedulingDecision? FromJson(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<SchedulingDecision>(json, Options);

    private static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}

/// <summary>How many nodes the attempt saw, checked, and found feasible.</summary>
public sealed class NodeCounts
{
    /// <summary>Nodes in the scheduler's snapshot.</summary>
    [JsonPropertyName("total")]
    public int Total { get; set; }

    /// <summary>Nodes the filters ran on.</summary>
    [JsonPropertyName("evaluated")]
    public int Evaluated { get; set; }

    /// <summary>Nodes every filter accepted.</summary>
    [JsonPropertyName("feasible")]
    public int Feasible { get; set; }

    /// <summary>
    /// Nodes not checked because enough feasible nodes had been found (percentageOfNodesToScore); the next attempt
    /// starts where this one stopped.
    /// </summary>
    [JsonPropertyName("notEvaluated")]
    public int NotEvaluated { get; set; }
}

/// <summary>A node a filter plugin rejected.</summary>
public sealed class FilteredNode
{
    /// <summary>The node.</summary>
    [JsonPropertyName("node")]
    public required string Node { get; init; }

    /// <summary>The plugin.</summary>
    [JsonPropertyName("plugin")]
    public required string Plugin { get; init; }

    /// <summary>Unschedulable (preemption might help) or UnschedulableAndUnresolvable.</summary>
    [JsonPropertyName("code")]
    public required string Code { get; init; }

    /// <summary>What the plugin said.</summary>
    [JsonPropertyName("reasons")]
    public required IReadOnlyList<string> Reasons { get; init; }
}

/// <summary>Nodes a PreFilter plugin excluded as a group.</summary>
public sealed class ExcludedNodes
{
    /// <summary>How many nodes.</summary>
    [JsonPropertyName("count")]
    public int Count { get; init; }

    /// <summary>The plugin.</summary>
    [JsonPropertyName("plugin")]
    public string Plugin { get; init; } = string.Empty;

    /// <summary>What the plugin said.</summary>
    [JsonPropertyName("reasons")]
    public IReadOnlyList<string> Reasons { get; init; } = [];
}

/// <summary>One feasible node's scores.</summary>
public sealed class NodeScores
{
    /// <summary>The node.</summary>
    [JsonPropertyName("node")]
    public required string Node { get; init; }

    /// <summary>The sum of the weighted scores.</summary>
    [JsonPropertyName("total")]
    public long Total { get; set; }

    /// <summary>Each Score plugin's part, in profile order.</summary>
    [JsonPropertyName("plugins")]
    public List<PluginScore> Plugins { get; init; } = [];
}

/// <summary>One Score plugin's normalized score (0–100) for a node, its weight, and the product.</summary>
public sealed class PluginScore
{
    /// <summary>The plugin.</summary>
    [JsonPropertyName("plugin")]
    public required string Plugin { get; init; }

    /// <summary>The normalized score, 0–100.</summary>
    [JsonPropertyName("score")]
    public long Score { get; init; }

    /// <summary>The plugin's weight in the profile.</summary>
    [JsonPropertyName("weight")]
    public int Weight { get; init; }

    /// <summary>Score × weight.</summary>
    [JsonPropertyName("weighted")]
    public long Weighted => Score * Weight;
}

/// <summary>
/// The scores of one attempt as the scheduler keeps them: one row per feasible node in the order scored, one column
/// per Score plugin, in flat arrays. The scheduler keeps its last 500 decisions; at 500 nodes a decision scores ~230
/// of them, and a <see cref="NodeScores"/> object per node with a <see cref="PluginScore"/> object per plugin came to
/// ~100 KB a decision, all of it surviving into the oldest generation. This form is ~6 KB and is read rarely; the
/// totals are not kept but computed when read (each is the sum of the plugins' weighted scores, as the scheduler adds
/// them).
/// </summary>
public sealed class ScoreTable
{
    private readonly string[] _nodes;
    private readonly string[] _plugins;
    private readonly int[] _weights;
    // The scheduler keeps the decisions of its last few hundred pods, each with hundreds of scored nodes: a normalized
    // score (0 to 100) takes a byte.
    private readonly byte[][] _scores;

    /// <summary>
    /// Takes (does not copy) the scored nodes, the Score plugins and their weights, and the normalized scores plugin by
    /// plugin (node i's score from plugin p at <c>scores[p][i]</c>).
    /// </summary>
    public ScoreTable(string[] nodes, string[] plugins, int[] weights, byte[][] scores)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(plugins);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(scores);
        if (weights.Length != plugins.Length || scores.Length != plugins.Length || scores.Any(s => s.Length != nodes.Length))
        {
            throw new ArgumentException("a weight per plugin and a score per node and plugin");
        }

        (_nodes, _plugins, _weights, _scores) = (nodes, plugins, weights, scores);
    }

    /// <summary>The number of scored nodes.</summary>
    public int Count => _nodes.Length;

    /// <summary>The rows, highest total first, ties by node name.</summary>
    public List<NodeScores> Rows()
    {
        var totals = new long[_nodes.Length];
        for (var p = 0; p < _plugins.Length; p++)
        {
            for (var i = 0; i < totals.Length; i++)
            {
                totals[i] += (long)_scores[p][i] * _weights[p];
            }
        }

        var order = Enumerable.Range(0, _nodes.Length).ToArray();
        Array.Sort(order, (a, b) => totals[a] != totals[b] ? totals[b].CompareTo(totals[a]) : string.CompareOrdinal(_nodes[a], _nodes[b]));
        var rows = new List<NodeScores>(order.Length);
        foreach (var i in order)
        {
            var row = new NodeScores { Node = _nodes[i], Total = totals[i] };
            for (var p = 0; p < _plugins.Length; p++)
            {
                row.Plugins.Add(new PluginScore { Plugin = _plugins[p], Score = _scores[p][i], Weight = _weights[p] });
            }

            rows.Add(row);
        }

        return rows;
    }
}
