using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cetus.Api.Stats;
using Cetus.ApiServer.ResourceMetrics;
using Cetus.ApiServer.Security;
using Cetus.Storage;
using Cetus.Storage.Sqlite;
using Cetus.Testing;
using k8s.Models;
using Xunit;

namespace Cetus.ApiServer.Tests.ResourceMetrics;

/// <summary>Kubelets in memory: each node answers the summary it was given, or fails.</summary>
public sealed class FakeKubeletStats : IKubeletStatsSource
{
    private readonly ConcurrentDictionary<string, StatsSummary> _summaries = new(StringComparer.Ordinal);

    public ConcurrentBag<string> Asked { get; } = [];

    private readonly ConcurrentDictionary<string, bool> _hanging = new(StringComparer.Ordinal);

    public void Set(StatsSummary summary) => _summaries[summary.Node.NodeName] = summary;

    /// <summary>The node's kubelet never answers (until <paramref name="hang"/> is false again).</summary>
    public void Hang(string node, bool hang = true) => _hanging[node] = hang;

    public async Task<StatsSummary> GetSummaryAsync(V1Node node, CancellationToken cancellationToken)
    {
        Asked.Add(node.Metadata.Name);
        if (_hanging.GetValueOrDefault(node.Metadata.Name))
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return await (_summaries.TryGetValue(node.Metadata.Name, out var summary)
            ? Task.FromResult(summary)
            : Task.FromException<StatsSummary>(new HttpRequestException($"dial tcp {node.Metadata.Name}:10250: connection refused")));
    }
}

/// <summary>An API server whose kubelets are <see cref="FakeKubeletStats"/>, with an admin and an unprivileged user (jane).</summary>
public sealed class MetricsFixture : IAsyncLifetime
{
    public const string JaneToken = "jane-token";

    private readonly TempDirectory _directory = new("metrics");
    private IStore? _store;
    private InProcessApiServer? _server;

    public FakeKubeletStats Kubelets { get; } = new();

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient Jane { get; private set; } = null!;

    public string KubeconfigPath => _directory.File("kubeconfig");

    public async Task InitializeAsync()
    {
        _store = SqliteStore.Open(_directory.File("state.db"), new StoreOptions { Compaction = null });
        _server = await InProcessApiServer.StartAsync(_store, options => options with
        {
            KubeletStats = Kubelets,
            AuthenticateToken = token => token switch
            {
                InProcessApiServer.Token => new UserInfo("admin", string.Empty, ["system:masters"]),
                JaneToken => new UserInfo("jane", string.Empty, ["system:authenticated"]),
                _ => null,
            },
        });
        Admin = _server.CreateClient();
        Jane = _server.CreateClient();
        Jane.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JaneToken);
        await _server.WriteKubeconfigAsync(KubeconfigPath);
    }

    /// <summary>Creates a node with allocatable 4 CPUs and 8Gi.</summary>
    public async Task CreateNodeAsync(string name, Dictionary<string, string>? labels = null)
    {
        var node = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = Metadata(name, labels) };
        (await Admin.PostAsync("/api/v1/nodes", Json(node))).EnsureSuccessStatusCode();
        using var status = new StringContent("""{"status":{"capacity":{"cpu":"4","memory":"8Gi"},"allocatable":{"cpu":"4","memory":"8Gi"}}}""", Encoding.UTF8, "application/merge-patch+json");
        (await Admin.PatchAsync($"/api/v1/nodes/{name}/status", status)).EnsureSuccessStatusCode();
    }

    /// <summary>Creates a namespace (if missing) and a pod in it bound to <paramref name="node"/>.</summary>
    public async Task CreatePodAsync(string ns, string name, string node, Dictionary<string, string>? labels = null)
    {
        await Admin.PostAsync("/api/v1/namespaces", Json(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = Metadata(ns, null) }));
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = Metadata(name, labels),
            ["spec"] = new JsonObject { ["nodeName"] = node, ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "busybox" }) },
        };
        var response = await Admin.PostAsync($"/api/v1/namespaces/{ns}/pods", Json(pod));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static JsonObject Metadata(string name, Dictionary<string, string>? labels)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (labels is not null)
        {
            metadata["labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
        }

        return metadata;
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        Jane.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _directory.Dispose();
    }
}

/// <summary>Builders of kubelet summaries.</summary>
internal static class Summaries
{
    public static readonly DateTime Sampled = new(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc);

    public static StatsSummary Node(string name, ulong nanoCores, ulong workingSet, params PodStats[] pods) => new()
    {
        Node = new NodeStats
        {
            NodeName = name,
            Cpu = new CpuStats { Time = Sampled, UsageNanoCores = nanoCores, UsageCoreNanoSeconds = nanoCores * 100 },
            Memory = new MemoryStats { Time = Sampled, WorkingSetBytes = workingSet, UsageBytes = workingSet * 2 },
        },
        Pods = pods,
    };

    public static PodStats Pod(string ns, string name, params ContainerStats[] containers) => new()
    {
        PodRef = new PodReference(name, ns, string.Empty),
        Containers = containers,
    };

    public static ContainerStats Container(string name, ulong? nanoCores, ulong workingSet) => new()
    {
        Name = name,
        Cpu = new CpuStats { Time = Sampled, UsageNanoCores = nanoCores, UsageCoreNanoSeconds = 5_000_000_000 },
        Memory = new MemoryStats { Time = Sampled, WorkingSetBytes = workingSet },
    };
}
