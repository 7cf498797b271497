using Cetus.Cri.V1;
using Cetus.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.Node.Tests;

/// <summary>
/// The seed's three sidecar patterns in examples/, applied as a user would (kubectl apply -f examples/…) on the real
/// node, each checked for the outcome its README promises.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class ExampleScenarios(NodeFixture fixture) : NodeScenario(fixture)
{
    [Fact]
    public async Task LogCollection_TheStoreHasEveryLineInOrder_AlsoAcrossASidecarRestart()
    {
        await ApplyExampleAsync("sidecar-logging/logging.yaml");
        await WaitForPodAsync("log-store", IsReady, TimeSpan.FromSeconds(60));
        var app = await WaitForPodAsync("logging-app", IsReady, TimeSpan.FromSeconds(60));
        await WaitForStoredLinesAsync(5);

        // Stop the sidecar the way a crash or an eviction of its process would end it: the kubelet restarts it.
        var shipper = app.Status.InitContainerStatuses.Single(s => s.Name == "shipper");
        await Node.Containerd.Runtime.StopContainerAsync(shipper.ContainerID["containerd://".Length..], 10, CancellationToken.None);
        await WaitForPodAsync("logging-app", p => p.Status?.InitContainerStatuses?.Single(s => s.Name == "shipper").RestartCount >= 1 && IsReady(p), TimeSpan.FromSeconds(60));
        var beforeRestart = (await StoredLinesAsync()).Count;
        var stored = await WaitForStoredLinesAsync(beforeRestart + 5);

        // What the store holds is exactly the start of what the app wrote: nothing lost, nothing twice, in order.
        var written = await ExecLinesAsync("logging-app", "app", "cat", "/var/log/app/app.log");
        Assert.True(written.Count >= stored.Count, $"the store has {stored.Count} lines, the app wrote {written.Count}");
        Assert.Equal(written.Take(stored.Count), stored);
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => $"request {i} served"), stored);
    }

    [Fact]
    public async Task Proxy_TheAppReachesTheBackendThroughLocalhost_AndAReplacedBackendNeedsNoChange()
    {
        await ApplyExampleAsync("sidecar-proxy/proxy.yaml");
        var app = await WaitForPodAsync("proxy-app", IsReady, TimeSpan.FromSeconds(60));
        var first = await BackendAsync(_ => true);
        var answer = await WaitForAnswerAsync($"hello from {first.Metadata.Name}");

        await KubectlAsync("delete", "pod", "-n", _ns, first.Metadata.Name, "--wait=false");
        var second = await BackendAsync(p => p.Metadata.Name != first.Metadata.Name);
        await WaitForAnswerAsync($"hello from {second.Metadata.Name}");

        // The same app container, never restarted, never told where the backend went.
        var after = await Node.Client.CoreV1.ReadNamespacedPodAsync("proxy-app", _ns);
        Assert.Equal(app.Metadata.Uid, after.Metadata.Uid);
        Assert.Equal(0, after.Status.ContainerStatuses.Single(s => s.Name == "app").RestartCount);
        Assert.StartsWith("hello from ", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adapter_ScrapingThePodIPReturnsValidPrometheusMetrics()
    {
        await ApplyExampleAsync("sidecar-adapter/adapter.yaml");
        var pod = await WaitForPodAsync("adapter-app", IsReady, TimeSpan.FromSeconds(60));
        var state = (await ExecLinesAsync("adapter-app", "app", "cat", "/state/status")).Single();
        var requestsBefore = long.Parse(state.Split(' ')[0]["requests=".Length..], System.Globalization.CultureInfo.InvariantCulture);

        using var response = await Http.GetAsync($"http://{pod.Status.PodIP}:9100/cgi-bin/metrics");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var samples = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["app_errors_total", "app_queue_depth", "app_requests_total", "app_up"], samples.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, samples["app_up"]);
        // A counter read after the state was: at least what the app had reported then.
        Assert.True(samples["app_requests_total"] >= requestsBefore, $"app_requests_total {samples["app_requests_total"]} < {requestsBefore}");
        Assert.InRange(samples["app_queue_depth"], 0, 4);
    }

    private async Task ApplyExampleAsync(string relativePath)
    {
        var path = Path.Combine(CetusServerProcess.RepositoryRoot(), "examples", relativePath);
        await KubectlAsync("apply", "-n", _ns, "-f", path);
    }

    private async Task<List<string>> ExecLinesAsync(string pod, string container, params string[] command)
    {
        var result = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, ["exec", "-n", _ns, pod, "-c", container, "--", .. command]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private Task<List<string>> StoredLinesAsync() => ExecLinesAsync("log-store", "web", "cat", "/store/lines");

    private Task<List<string>> WaitForStoredLinesAsync(int atLeast) =>
        Wait.ForAsync(StoredLinesAsync, lines => lines.Count >= atLeast, $"{atLeast} lines in the log store", TimeSpan.FromSeconds(60));

    private async Task<V1Pod> BackendAsync(Func<V1Pod, bool> which) =>
        await WaitAsync(
            async () => (await Node.Client.CoreV1.ListNamespacedPodAsync(_ns, labelSelector: "app=backend")).Items.FirstOrDefault(p => which(p) && IsReady(p) && p.Metadata.DeletionTimestamp is null),
            "a Ready backend pod",
            TimeSpan.FromSeconds(90));

    // What the app last got from localhost:8000, once it is the expected answer.
    private Task<string> WaitForAnswerAsync(string expected) =>
        Wait.ForAsync(
            async () => (await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "exec", "-n", _ns, "proxy-app", "-c", "app", "--", "cat", "/www/last")).Stdout.Trim(),
            answer => answer == expected,
            $"the app's answer \"{expected}\"",
            TimeSpan.FromSeconds(60));
}
