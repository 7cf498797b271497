using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cetus.Api.Scheme;
using Cetus.Api.Selectors;
using Cetus.Api.Stats;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Registry;
using Cetus.ApiServer.Routing;
using Cetus.ApiServer.Watch;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cetus.ApiServer.ResourceMetrics;

/// <summary>
/// Serves metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics (get and list, with label selectors and metadata field
/// selectors), as metrics-server does, but asking the kubelets at request time: the nodes and pods come from the watch
/// cache, each node involved is asked for its stats summary in parallel within <see cref="NodeTimeout"/>, and a node
/// that fails or is too slow is left out. Errors are upstream's: a missing pod or node is the core NotFound, one without
/// metrics is <c>pods.metrics.k8s.io "ns/name" not found</c>.
/// </summary>
internal sealed partial class MetricsEndpoint(ApiServerOptions options, Kubelets.KubeletConnector kubelets, WatchCache cache, ResourceRegistry registry, TimeProvider time, ILogger<MetricsEndpoint> logger)
{
    // The host's source, else the kubelets themselves over HTTPS when the server has kubelet credentials.
    private readonly IKubeletStatsSource? _source = options.KubeletStats ?? (options.Kubelets is null ? null : new Kubelets.KubeletStatsSource(kubelets));

    /// <summary>How long one kubelet may take to answer.</summary>
    public static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The window every sample is reported with. The kubelet's rate covers the time since its previous summary (or
    /// its short second sample); the summary does not carry that interval, so the API server reports a fixed window.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly ResourceDefinition _pods = registry.Find(string.Empty, "v1", "pods")!;
    private readonly ResourceDefinition _nodes = registry.Find(string.Empty, "v1", "nodes")!;

    public async Task HandleAsync(HttpContext http, RequestInfo info)
    {
        var namespaced = info.Resource == "pods";
        if (info.Version != MetricsApi.Version || info.Resource is not ("pods" or "nodes") || info.Subresource.Length > 0
            || (!namespaced && info.Namespace.Length > 0) || (namespaced && info.Name.Length > 0 && info.Namespace.Length == 0))
        {
            throw Problems.PathNotFound(http.Request.Path);
        }

        var method = http.Request.Method;
        if (method is not ("GET" or "HEAD"))
        {
            throw Problems.MethodNotSupported(MetricsApi.Group, info.Resource, Verb(method, info.Name.Length > 0));
        }

        if (info.Name.Length == 0 && http.Request.Query["watch"].ToString() is "true" or "1")
        {
            throw Problems.MethodNotSupported(MetricsApi.Group, info.Resource, "watch");
        }

        var aborted = http.RequestAborted;
        JsonObject body;
        if (namespaced)
        {
            body = info.Name.Length > 0
                ? await GetPodAsync(info.Namespace, info.Name, aborted).ConfigureAwait(false)
                : await ListPodsAsync(info.Namespace, Selectors(http, namespaced), aborted).ConfigureAwait(false);
        }
        else
        {
            body = info.Name.Length > 0
                ? await GetNodeAsync(info.Name, aborted).ConfigureAwait(false)
                : await ListNodesAsync(Selectors(http, namespaced), aborted).ConfigureAwait(false);
        }

        await Responses.WriteJsonAsync(http, 200, JsonSerializer.SerializeToUtf8Bytes(body)).ConfigureAwait(false);
    }

    private async Task<JsonObject> ListNodesAsync((LabelSelector Labels, FieldSelector Fields) selectors, CancellationToken cancellationToken)
    {
        var nodes = Objects<V1Node>(_nodes, string.Empty).Where(n => Selected(n.Metadata, selectors, namespaced: false)).ToList();
        var summaries = await SummariesAsync(nodes, cancellationToken).ConfigureAwait(false);
        var items = new JsonArray();
        foreach (var node in nodes)
        {
            if (summaries.TryGetValue(node.Metadata.Name, out var summary) && NodeMetrics(node, summary) is { } metrics)
            {
                items.Add(metrics);
            }
        }

        return List("NodeMetricsList", items);
    }

    private async Task<JsonObject> GetNodeAsync(string name, CancellationToken cancellationToken)
    {
        var node = (V1Node?)cache.Get(_nodes, StorageKeys.Key(_nodes, string.Empty, name))?.Item
            ?? throw Problems.NotFound(string.Empty, "nodes", name);
        var summaries = await SummariesAsync([node], cancellationToken).ConfigureAwait(false);
        var metrics = summaries.TryGetValue(name, out var summary) ? NodeMetrics(node, summary) : null;
        return Single("NodeMetrics", metrics ?? throw Problems.NotFound(MetricsApi.Group, "nodes", name));
    }

    private async Task<JsonObject> ListPodsAsync(string ns, (LabelSelector Labels, FieldSelector Fields) selectors, CancellationToken cancellationToken)
    {
        var pods = Objects<V1Pod>(_pods, ns)
            .Where(p => Selected(p.Metadata, selectors, namespaced: true))
            .OrderBy(p => p.Metadata.NamespaceProperty, StringComparer.Ordinal)
            .ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        var summaries = await SummariesAsync(NodesOf(pods), cancellationToken).ConfigureAwait(false);
        var items = new JsonArray();
        foreach (var pod in pods)
        {
            if (PodMetrics(pod, summaries) is { } metrics)
            {
                items.Add(metrics);
            }
        }

        return List("PodMetricsList", items);
    }

    private async Task<JsonObject> GetPodAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var pod = (V1Pod?)cache.Get(_pods, StorageKeys.Key(_pods, ns, name))?.Item
            ?? throw Problems.NotFound(string.Empty, "pods", name);
        var summaries = await SummariesAsync(NodesOf([pod]), cancellationToken).ConfigureAwait(false);
        return Single("PodMetrics", PodMetrics(pod, summaries) ?? throw Problems.NotFound(MetricsApi.Group, "pods", $"{ns}/{name}"));
    }

    private List<V1Node> NodesOf(IEnumerable<V1Pod> pods) =>
        [.. pods.Select(p => p.Spec?.NodeName)
            .OfType<string>()
            .Where(n => n.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Select(n => (V1Node?)cache.Get(_nodes, StorageKeys.Key(_nodes, string.Empty, n))?.Item)
            .OfType<V1Node>()];

    // Every node at once, each within the timeout; a node that fails is logged and left out.
    private async Task<Dictionary<string, StatsSummary>> SummariesAsync(IReadOnlyList<V1Node> nodes, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, StatsSummary>(StringComparer.Ordinal);
        if (_source is not { } source || nodes.Count == 0)
        {
            return found;
        }

        var asked = nodes.Select(async node =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(NodeTimeout);
            try
            {
                return (node.Metadata.Name, Summary: await source.GetSummaryAsync(node, timeout.Token).ConfigureAwait(false));
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogNodeFailed(logger, node.Metadata.Name, e.Message);
                return (node.Metadata.Name, Summary: (StatsSummary?)null);
            }
        });
        foreach (var (name, summary) in await Task.WhenAll(asked).ConfigureAwait(false))
        {
            if (summary is not null)
            {
                found[name] = summary;
            }
        }

        return found;
    }

    private JsonObject? NodeMetrics(V1Node node, StatsSummary summary)
    {
        if (summary.Node is not { Cpu: { UsageNanoCores: { } nanoCores } cpu, Memory.WorkingSetBytes: { } workingSet })
        {
            return null;
        }

        var metrics = new JsonObject { ["metadata"] = Metadata(node.Metadata, namespaced: false) };
        AddSample(metrics, cpu.Time);
        metrics["usage"] = Usage(nanoCores, workingSet);
        return metrics;
    }

    // A pod's containers as its node's kubelet reports them; containers lacking CPU or memory are left out, and a
    // pod with none left has no metrics.
    private JsonObject? PodMetrics(V1Pod pod, Dictionary<string, StatsSummary> summaries)
    {
        if (pod.Spec?.NodeName is not { Length: > 0 } nodeName || !summaries.TryGetValue(nodeName, out var summary))
        {
            return null;
        }

        // The summary is another process's JSON: lists and references it leaves null are treated as absent.
        var stats = (summary.Pods ?? []).FirstOrDefault(p =>
            p?.PodRef is { } reference && reference.Name == pod.Metadata.Name && reference.Namespace == pod.Metadata.NamespaceProperty
            && (string.IsNullOrEmpty(reference.Uid) || string.IsNullOrEmpty(pod.Metadata.Uid) || reference.Uid == pod.Metadata.Uid));
        var containers = new JsonArray();
        var latest = DateTime.MinValue;
        foreach (var container in stats?.Containers ?? [])
        {
            if (container is { Name: { } name, Cpu: { UsageNanoCores: { } nanoCores } cpu, Memory.WorkingSetBytes: { } workingSet })
            {
                containers.Add(new JsonObject { ["name"] = name, ["usage"] = Usage(nanoCores, workingSet) });
                latest = cpu.Time > latest ? cpu.Time : latest;
            }
        }

        if (containers.Count == 0)
        {
            return null;
        }

        var metrics = new JsonObject { ["metadata"] = Metadata(pod.Metadata, namespaced: true) };
        AddSample(metrics, latest);
        metrics["containers"] = containers;
        return metrics;
    }

    private JsonObject Metadata(V1ObjectMeta source, bool namespaced)
    {
        var metadata = new JsonObject { ["name"] = source.Name };
        if (namespaced)
        {
            metadata["namespace"] = source.NamespaceProperty;
        }

        // As metrics-server: the metrics object is made now.
        metadata["creationTimestamp"] = Timestamp(time.GetUtcNow().UtcDateTime);
        if (source.Labels is { Count: > 0 } labels)
        {
            var copy = new JsonObject();
            foreach (var (key, value) in labels)
            {
                copy[key] = value;
            }

            metadata["labels"] = copy;
        }

        return metadata;
    }

    private static void AddSample(JsonObject metrics, DateTime sampled)
    {
        metrics["timestamp"] = Timestamp(sampled);
        metrics["window"] = Window.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s";
    }

    private static JsonObject Usage(ulong nanoCores, ulong workingSetBytes) => new()
    {
        ["cpu"] = MetricsQuantities.Cpu(nanoCores),
        ["memory"] = MetricsQuantities.Memory(workingSetBytes),
    };

    private static JsonObject List(string kind, JsonArray items) => new()
    {
        ["kind"] = kind,
        ["apiVersion"] = MetricsApi.ApiVersion,
        ["metadata"] = new JsonObject(),
        ["items"] = items,
    };

    private static JsonObject Single(string kind, JsonObject metrics)
    {
        var result = new JsonObject { ["kind"] = kind, ["apiVersion"] = MetricsApi.ApiVersion };
        foreach (var (key, value) in metrics.ToList())
        {
            metrics.Remove(key);
            result[key] = value;
        }

        return result;
    }

    private List<T> Objects<T>(ResourceDefinition definition, string ns) =>
        [.. cache.List(definition, ns).Items.Select(i => i.Item).OfType<T>()];

    private static (LabelSelector Labels, FieldSelector Fields) Selectors(HttpContext http, bool namespaced)
    {
        try
        {
            var labels = LabelSelector.Parse(http.Request.Query["labelSelector"].ToString());
            var fields = FieldSelector.Parse(http.Request.Query["fieldSelector"].ToString());
            var supported = namespaced ? new[] { "metadata.name", "metadata.namespace" } : ["metadata.name"];
            if (fields.Requirements.FirstOrDefault(r => !supported.Contains(r.Field)) is { } unsupported)
            {
                throw Problems.BadRequest($"field label not supported: {unsupported.Field}");
            }

            return (labels, fields);
        }
        catch (SelectorException e)
        {
            throw Problems.BadRequest(e.Message);
        }
    }

    private static bool Selected(V1ObjectMeta metadata, (LabelSelector Labels, FieldSelector Fields) selectors, bool namespaced)
    {
        if (!selectors.Labels.Matches(metadata.Labels))
        {
            return false;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal) { ["metadata.name"] = metadata.Name ?? string.Empty };
        if (namespaced)
        {
            fields["metadata.namespace"] = metadata.NamespaceProperty ?? string.Empty;
        }

        return selectors.Fields.Matches(fields);
    }

    private static string Verb(string method, bool named) => method switch
    {
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => named ? "delete" : "deletecollection",
        _ => method.ToLowerInvariant(),
    };

    private static string Timestamp(DateTime value) =>
        (value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "metrics: node {Node} left out: {Reason}")]
    private static partial void LogNodeFailed(ILogger logger, string node, string reason);
}
