using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cetus.Api.Stats;

/// <summary>
/// The kubelet's <c>/stats/summary</c> document (k8s.io/kubelet/pkg/apis/stats/v1alpha1 Summary), the subset Cetus
/// fills: node and per-pod, per-container CPU and memory. JSON names are upstream's, so the same document is what a
/// real kubelet serves and what the API server reads for metrics.k8s.io.
/// </summary>
public sealed record StatsSummary
{
    /// <summary>The node's own usage.</summary>
    [JsonPropertyName("node")]
    public required NodeStats Node { get; init; }

    /// <summary>One entry per pod with running containers.</summary>
    [JsonPropertyName("pods")]
    public IReadOnlyList<PodStats> Pods { get; init; } = [];

    /// <summary>The JSON options of the document (upstream's names, absent values left out).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The document as JSON.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions);

    /// <summary>Reads a document; throws <see cref="JsonException"/> when it is not one.</summary>
    public static StatsSummary FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<StatsSummary>(json, JsonOptions) ?? throw new JsonException("the stats summary is null");
}

/// <summary>The node's usage (v1alpha1 NodeStats).</summary>
public sealed record NodeStats
{
    /// <summary>The node's name.</summary>
    [JsonPropertyName("nodeName")]
    public required string NodeName { get; init; }

    /// <summary>When the node started (boot time), if known.</summary>
    [JsonPropertyName("startTime")]
    public DateTime? StartTime { get; init; }

    /// <summary>CPU of the whole node.</summary>
    [JsonPropertyName("cpu")]
    public CpuStats? Cpu { get; init; }

    /// <summary>Memory of the whole node.</summary>
    [JsonPropertyName("memory")]
    public MemoryStats? Memory { get; init; }
}

/// <summary>One pod's usage (v1alpha1 PodStats).</summary>
public sealed record PodStats
{
    /// <summary>Which pod.</summary>
    [JsonPropertyName("podRef")]
    public required PodReference PodRef { get; init; }

    /// <summary>When the pod's sandbox was created, if known.</summary>
    [JsonPropertyName("startTime")]
    public DateTime? StartTime { get; init; }

    /// <summary>Its containers.</summary>
    [JsonPropertyName("containers")]
    public IReadOnlyList<ContainerStats> Containers { get; init; } = [];

    /// <summary>The sum of its containers' CPU.</summary>
    [JsonPropertyName("cpu")]
    public CpuStats? Cpu { get; init; }

    /// <summary>The sum of its containers' memory.</summary>
    [JsonPropertyName("memory")]
    public MemoryStats? Memory { get; init; }
}

/// <summary>Names a pod (v1alpha1 PodReference).</summary>
/// <param name="Name">The pod's name.</param>
/// <param name="Namespace">The pod's namespace.</param>
/// <param name="Uid">The pod's uid.</param>
public sealed record PodReference(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("namespace")] string Namespace,
    [property: JsonPropertyName("uid")] string Uid);

/// <summary>One container's usage (v1alpha1 ContainerStats).</summary>
public sealed record ContainerStats
{
    /// <summary>The container's name in the pod spec.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>When the container was created, if known.</summary>
    [JsonPropertyName("startTime")]
    public DateTime? StartTime { get; init; }

    /// <summary>CPU.</summary>
    [JsonPropertyName("cpu")]
    public CpuStats? Cpu { get; init; }

    /// <summary>Memory.</summary>
    [JsonPropertyName("memory")]
    public MemoryStats? Memory { get; init; }
}

/// <summary>CPU usage (v1alpha1 CPUStats).</summary>
public sealed record CpuStats
{
    /// <summary>When the sample was taken.</summary>
    [JsonPropertyName("time")]
    public required DateTime Time { get; init; }

    /// <summary>Usage averaged over the sample window, in nanocores (1e9 = one core).</summary>
    [JsonPropertyName("usageNanoCores")]
    public ulong? UsageNanoCores { get; init; }

    /// <summary>Cumulative usage since the object was created, in core-nanoseconds.</summary>
    [JsonPropertyName("usageCoreNanoSeconds")]
    public ulong? UsageCoreNanoSeconds { get; init; }
}

/// <summary>Memory usage (v1alpha1 MemoryStats).</summary>
public sealed record MemoryStats
{
    /// <summary>When the sample was taken.</summary>
    [JsonPropertyName("time")]
    public required DateTime Time { get; init; }

    /// <summary>Memory available (limit or total minus working set).</summary>
    [JsonPropertyName("availableBytes")]
    public ulong? AvailableBytes { get; init; }

    /// <summary>Total memory in use, page cache included.</summary>
    [JsonPropertyName("usageBytes")]
    public ulong? UsageBytes { get; init; }

    /// <summary>The working set: usage minus inactive file pages. What <c>kubectl top</c> shows and evictions use.</summary>
    [JsonPropertyName("workingSetBytes")]
    public ulong? WorkingSetBytes { get; init; }

    /// <summary>Anonymous and swap cache memory.</summary>
    [JsonPropertyName("rssBytes")]
    public ulong? RssBytes { get; init; }
}
