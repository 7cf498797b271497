using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cetus.Testing;
using Xunit;
using static Cetus.ApiServer.Tests.ResourceMetrics.Summaries;

namespace Cetus.ApiServer.Tests.ResourceMetrics;

public sealed class MetricsApiTests(MetricsFixture server) : IClassFixture<MetricsFixture>
{
    private const string Base = "/apis/metrics.k8s.io/v1beta1";

    [Fact]
    public async Task Discovery_ListsTheGroup_LegacyAndAggregated()
    {
        var groups = await server.Admin.GetFromJsonAsync<JsonObject>("/apis");
        var group = groups!["groups"]!.AsArray().Single(g => (string?)g!["name"] == "metrics.k8s.io")!;
        Assert.Equal("metrics.k8s.io/v1beta1", (string?)group["preferredVersion"]!["groupVersion"]);

        using var aggregatedRequest = new HttpRequestMessage(HttpMethod.Get, "/apis");
        aggregatedRequest.Headers.Accept.ParseAdd("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        var aggregated = await (await server.Admin.SendAsync(aggregatedRequest)).Content.ReadFromJsonAsync<JsonObject>();
        var entry = aggregated!["items"]!.AsArray().Single(i => (string?)i!["metadata"]!["name"] == "metrics.k8s.io")!;
        var resources = entry["versions"]![0]!["resources"]!.AsArray();
        Assert.Equal(["nodes:Cluster:NodeMetrics", "pods:Namespaced:PodMetrics"], resources.Select(r => $"{r!["resource"]}:{r["scope"]}:{r["responseKind"]!["kind"]}"));
        Assert.All(resources, r => Assert.Equal(["get", "list"], r!["verbs"]!.AsArray().Select(v => (string?)v)));

        var list = await server.Admin.GetFromJsonAsync<JsonObject>(Base);
        Assert.Equal("APIResourceList", (string?)list!["kind"]);
        Assert.Equal(["nodes", "pods"], list["resources"]!.AsArray().Select(r => (string?)r!["name"]));
        var apiGroup = await server.Admin.GetFromJsonAsync<JsonObject>("/apis/metrics.k8s.io");
        Assert.Equal("APIGroup", (string?)apiGroup!["kind"]);
    }

    [Fact]
    public async Task Nodes_ListAndGet_FromEachKubelet_AFailingNodeLeftOut()
    {
        await server.CreateNodeAsync("nodes-a", new() { ["zone"] = "one" });
        await server.CreateNodeAsync("nodes-b");
        await server.CreateNodeAsync("nodes-down");
        server.Kubelets.Set(Node("nodes-a", 250_000_000, 1L << 30));
        server.Kubelets.Set(Node("nodes-b", 12_345_678, 1_000_000));

        var list = await server.Admin.GetFromJsonAsync<JsonObject>($"{Base}/nodes");
        Assert.Equal("NodeMetricsList", (string?)list!["kind"]);
        Assert.Equal("metrics.k8s.io/v1beta1", (string?)list["apiVersion"]);
        var items = list["items"]!.AsArray().ToDictionary(i => (string)i!["metadata"]!["name"]!, i => i!);
        Assert.Equal("250m", (string?)items["nodes-a"]["usage"]!["cpu"]);
        Assert.Equal("1Gi", (string?)items["nodes-a"]["usage"]!["memory"]);
        Assert.Equal("one", (string?)items["nodes-a"]["metadata"]!["labels"]!["zone"]);
        Assert.Equal("2026-11-27T10:00:00Z", (string?)items["nodes-a"]["timestamp"]);
        Assert.NotNull(items["nodes-a"]["window"]);
        Assert.NotNull(items["nodes-a"]["metadata"]!["creationTimestamp"]);
        Assert.Equal("12345678n", (string?)items["nodes-b"]["usage"]!["cpu"]);
        Assert.Equal("1000000", (string?)items["nodes-b"]["usage"]!["memory"]);
        Assert.False(items.ContainsKey("nodes-down"));
        Assert.Contains("nodes-down", server.Kubelets.Asked);

        var one = await server.Admin.GetFromJsonAsync<JsonObject>($"{Base}/nodes/nodes-a");
        Assert.Equal("NodeMetrics", (string?)one!["kind"]);
        Assert.Equal("250m", (string?)one["usage"]!["cpu"]);

        var selected = await server.Admin.GetFromJsonAsync<JsonObject>($"{Base}/nodes?labelSelector=zone%3Done");
        Assert.Equal(["nodes-a"], selected!["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]));
        var byName = await server.Admin.GetFromJsonAsync<JsonObject>($"{Base}/nodes?fieldSelector=metadata.name%3Dnodes-b");
        Assert.Equal(["nodes-b"], byName!["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]));
    }

    [Fact]
    public async Task Nodes_AKubeletThatNeverAnswers_IsLeftOutAfterTheTimeout()
    {
        await server.CreateNodeAsync("slow-node", new() { ["speed"] = "mixed" });
        await server.CreateNodeAsync("quick-node", new() { ["speed"] = "mixed" });
        server.Kubelets.Set(Node("slow-node", 1, 1));
        server.Kubelets.Set(Node("quick-node", 2_000_000, 2048));
        server.Kubelets.Hang("slow-node");
        try
        {
            var started = DateTime.UtcNow;
            var list = await server.Admin.GetFromJsonAsync<JsonObject>($"{Base}/nodes?labelSelector=speed%3Dmixed");
            Assert.Equal(["quick-node"], list!["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]));
            Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(30));
        }
        finally
        {
            server.Kubelets.Hang("slow-node", hang: false);
        }
    }

    [Fact]
    public async Task Nodes_Get_WithoutMetricsOrMissing_Is404Status()
    {
        await server.CreateNodeAsync("silent-node");

        var silent = await StatusOf(await server.Admin.GetAsync($"{Base}/nodes/silent-node"));
        Assert.Equal((404, "NotFound", "nodes.metrics.k8s.io \"silent-node\" not found"), silent);
        var missing = await StatusOf(await server.Admin.GetAsync($"{Base}/nodes/no-such-node"));
        Assert.Equal((404, "NotFound", "nodes \"no-such-node\" not found"), missing);
    }

    [Fact]
    public async Task Pods_ListNamespaced_AllNamespaces_SelectorsAndGet()
    {
        await server.CreateNodeAsync("pods-node");
        await server.CreatePodAsync("pods-a", "web", "pods-node", new() { ["app"] = "web" });
        await server.CreatePodAsync("pods-a", "db", "pods-node", new() { ["app"] = "db" });
        await server.CreatePodAsync("pods-b", "web", "pods-node");
        server.Kubelets.Set(Node("pods-node", 1_000_000_000, 1L << 31,
            Pod("pods-a", "web", Container("app", 12_000_000, 64L << 20), Container("sidecar", 1_000_000, 1234 * 1024)),
            Pod("pods-a", "db", Container("app", 2_000_000_000, 1L << 30)),
            Pod("pods-b", "web", Container("app", 5, 4096))));

        var list = await server.Admin.GetFromJsonAsync<JsonObject>($"{Base}/namespaces/pods-a/pods");
        Assert.Equal("PodMetricsList", (string?)list!["kind"]);
        var items = list["items"]!.AsArray();
        Assert.Equal(["db", "web"], items.Select(i => (string?)i!["metadata"]!["name"]));
        var web = items[1]!;
        Assert.Equal("pods-a", (string?)web["metadata"]!["namespace"]);
        Assert.Equal("web", (string?)web["metadata"]!["labels"]!["app"]);
        Assert.Equal(["app:12m:64Mi", "sidecar:1m:1234Ki"], web["containers"]!.AsArray().Select(c => $"{c!["name"]}:{c["usage"]!["cpu"]}:{c["usage"]!["memory"]}"));
        Assert.Equal("2", (string?)items[0]!["containers"]![0]!["usage"]!["cpu"]);

        var everywhere = await server.Admin.GetFromJsonAsync<JsonObject>($"{Base}/pods?fieldSelector=metadata.name%3Dweb");
        // Other tests' pods share the server: only this test's namespaces are looked at.
        var named = everywhere!["items"]!.AsArray().Select(i => $"{i!["metadata"]!["namespace"]}/{i["metadata"]!["name"]}").Where(n => n.StartsWith("pods-", StringComparison.Ordinal));
        Assert.Equal(["pods-a/web", "pods-b/web"], named);

        var labelled = await server.Admin.GetFromJsonAsync<JsonObject>($"{Base}/namespaces/pods-a/pods?labelSelector=app%20in%20(db)");
        Assert.Equal(["db"], labelled!["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]));

        var one = await server.Admin.GetFromJsonAsync<JsonObject>($"{Base}/namespaces/pods-b/pods/web");
        Assert.Equal("PodMetrics", (string?)one!["kind"]);
        Assert.Equal("5n", (string?)one["containers"]![0]!["usage"]!["cpu"]);
        Assert.Equal("4Ki", (string?)one["containers"]![0]!["usage"]!["memory"]);
    }

    [Fact]
    public async Task Pods_Get_WithoutMetricsOrMissing_Is404Status_AndBadSelectorIs400()
    {
        await server.CreateNodeAsync("quiet-node");
        await server.CreatePodAsync("quiet", "idle", "quiet-node");
        // The kubelet reports the pod, but no CPU rate for its only container yet.
        server.Kubelets.Set(Node("quiet-node", 1, 1, Pod("quiet", "idle", Container("app", null, 10))));

        Assert.Equal((404, "NotFound", "pods.metrics.k8s.io \"quiet/idle\" not found"), await StatusOf(await server.Admin.GetAsync($"{Base}/namespaces/quiet/pods/idle")));
        Assert.Equal((404, "NotFound", "pods \"ghost\" not found"), await StatusOf(await server.Admin.GetAsync($"{Base}/namespaces/quiet/pods/ghost")));
        var empty = await server.Admin.GetFromJsonAsync<JsonObject>($"{Base}/namespaces/quiet/pods");
        Assert.Empty(empty!["items"]!.AsArray());

        var badField = await StatusOf(await server.Admin.GetAsync($"{Base}/namespaces/quiet/pods?fieldSelector=spec.nodeName%3Dx"));
        Assert.Equal((400, "BadRequest", "field label not supported: spec.nodeName"), badField);
        var badLabel = await server.Admin.GetAsync($"{Base}/namespaces/quiet/pods?labelSelector=%21%21");
        Assert.Equal(HttpStatusCode.BadRequest, badLabel.StatusCode);
    }

    [Fact]
    public async Task Pods_AKubeletSummaryWithNullParts_HasNoMetrics_NotA500()
    {
        await server.CreateNodeAsync("odd-node");
        await server.CreatePodAsync("odd", "web", "odd-node");
        server.Kubelets.Set(Cetus.Api.Stats.StatsSummary.FromJson("""{"node":{"nodeName":"odd-node","cpu":null},"pods":[null,{"podRef":null},{"podRef":{"name":"web","namespace":"odd"},"containers":[null,{"name":null}]}]}"""u8));
        var nodeList = await server.Admin.GetFromJsonAsync<JsonObject>($"{Base}/nodes?fieldSelector=metadata.name%3Dodd-node");
        Assert.Empty(nodeList!["items"]!.AsArray());
        Assert.Equal(404, (await StatusOf(await server.Admin.GetAsync($"{Base}/namespaces/odd/pods/web"))).Code);
        server.Kubelets.Set(Cetus.Api.Stats.StatsSummary.FromJson("""{"node":{"nodeName":"odd-node"},"pods":null}"""u8));
        var pods = await server.Admin.GetFromJsonAsync<JsonObject>($"{Base}/namespaces/odd/pods");
        Assert.Empty(pods!["items"]!.AsArray());
    }

    [Fact]
    public async Task Writes_AreNotAllowed_AndUnknownResourcesAre404()
    {
        var created = await StatusOf(await server.Admin.PostAsync($"{Base}/namespaces/default/pods", MetricsFixture.Json(new JsonObject())));
        Assert.Equal(405, created.Code);
        Assert.Equal("MethodNotAllowed", created.Reason);
        var watched = await StatusOf(await server.Admin.GetAsync($"{Base}/nodes?watch=true"));
        Assert.Equal(405, watched.Code);
        Assert.Equal(404, (await StatusOf(await server.Admin.GetAsync($"{Base}/deployments"))).Code);
        Assert.Equal(404, (await StatusOf(await server.Admin.GetAsync($"{Base}/namespaces/default/nodes"))).Code);
    }

    [Fact]
    public async Task Rbac_UserWithoutARole_Is403_ViewInTheNamespaceAllowsPodMetrics()
    {
        await server.CreateNodeAsync("rbac-node");
        await server.CreatePodAsync("rbac", "web", "rbac-node");
        server.Kubelets.Set(Node("rbac-node", 1, 1, Pod("rbac", "web", Container("app", 3_000_000, 1024))));

        var forbidden = await StatusOf(await server.Jane.GetAsync($"{Base}/namespaces/rbac/pods"));
        Assert.Equal((403, "Forbidden", "pods.metrics.k8s.io is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"metrics.k8s.io\" in the namespace \"rbac\""), forbidden);
        Assert.Equal(403, (await StatusOf(await server.Jane.GetAsync($"{Base}/nodes"))).Code);

        var binding = JsonNode.Parse("""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"jane-view"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"jane"}]}""")!;
        (await server.Admin.PostAsync("/apis/rbac.authorization.k8s.io/v1/namespaces/rbac/rolebindings", MetricsFixture.Json(binding))).EnsureSuccessStatusCode();

        using var response = await Wait.ForAsync(() => server.Jane.GetAsync($"{Base}/namespaces/rbac/pods"), r => r.IsSuccessStatusCode, "jane may list pod metrics", TimeSpan.FromSeconds(10));
        var allowed = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("3m", (string?)allowed["items"]![0]!["containers"]![0]!["usage"]!["cpu"]);
        Assert.Equal(403, (await StatusOf(await server.Jane.GetAsync($"{Base}/namespaces/default/pods"))).Code);
    }

    [Fact]
    public async Task Kubectl_TopPodAndTopNode()
    {
        await server.CreateNodeAsync("top-node");
        await server.CreatePodAsync("top", "web", "top-node");
        server.Kubelets.Set(Node("top-node", 1_500_000_000, 2L << 30, Pod("top", "web", Container("app", 250_000_000, 64L << 20), Container("log", 5_000_000, 16L << 20))));

        var pods = await Kubectl.RunAsync(server.KubeconfigPath, "top", "pod", "-n", "top", "--containers");
        Assert.True(pods.ExitCode == 0, pods.ToString());
        var podLines = Rows(pods.Stdout);
        Assert.Equal(["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"], podLines[0]);
        Assert.Contains(["web", "app", "250m", "64Mi"], podLines);
        Assert.Contains(["web", "log", "5m", "16Mi"], podLines);

        var total = await Kubectl.RunAsync(server.KubeconfigPath, "top", "pod", "web", "-n", "top");
        Assert.True(total.ExitCode == 0, total.ToString());
        Assert.Contains(["web", "255m", "80Mi"], Rows(total.Stdout));

        var nodes = await Kubectl.RunAsync(server.KubeconfigPath, "top", "node", "top-node");
        Assert.True(nodes.ExitCode == 0, nodes.ToString());
        Assert.Contains(["top-node", "1500m", "37%", "2048Mi", "25%"], Rows(nodes.Stdout));
    }

    private static List<string[]> Rows(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))];

    private static async Task<(int Code, string? Reason, string? Message)> StatusOf(HttpResponseMessage response)
    {
        var status = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Status", (string?)status!["kind"]);
        Assert.Equal((int)response.StatusCode, (int?)status["code"]);
        return ((int)response.StatusCode, (string?)status["reason"], (string?)status["message"]);
    }
}

/// <summary>Without kubelets the group is still served, with empty lists.</summary>
public sealed class MetricsWithoutKubeletsTests(Integration.ApiServerFixture server) : IClassFixture<Integration.ApiServerFixture>
{
    [Fact]
    public async Task Lists_AreEmpty()
    {
        var pods = await server.Client.GetFromJsonAsync<JsonObject>("/apis/metrics.k8s.io/v1beta1/pods");
        Assert.Equal("PodMetricsList", (string?)pods!["kind"]);
        Assert.Empty(pods["items"]!.AsArray());
        var nodes = await server.Client.GetFromJsonAsync<JsonObject>("/apis/metrics.k8s.io/v1beta1/nodes");
        Assert.Empty(nodes!["items"]!.AsArray());
    }
}
