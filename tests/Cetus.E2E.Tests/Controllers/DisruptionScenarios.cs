using System.Text.RegularExpressions;
using Cetus.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace Cetus.E2E.Tests.Controllers;

/// <summary>A real <c>cetus server</c> and <c>cetus hollow --nodes 2</c>, for PodDisruptionBudgets and evictions.</summary>
public sealed class DisruptionFixture : IAsyncLifetime
{
    public const string Prefix = "pdb-e2e-";

    public CetusServerProcess Server { get; private set; } = null!;

    public CetusHollowProcess Hollow { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await CetusServerProcess.StartAsync();
        Hollow = await CetusHollowProcess.StartAsync(Server.Kubeconfig, ["--nodes", "2", "--name-prefix", Prefix, "--cpu", "4", "--memory", "8Gi", "--pods", "20"]);
    }

    public async Task DisposeAsync()
    {
        await Hollow.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// PodDisruptionBudgets end to end with the real kubectl: create/get/describe, the disruption controller's status as
/// pods become Ready, the eviction subresource (allowed, refused with 429, no PDB), and <c>kubectl drain</c> of a
/// hollow node that waits for the budget. Each test has its own namespace.
/// </summary>
public sealed class DisruptionScenarios(DisruptionFixture fixture) : IClassFixture<DisruptionFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Kubernetes _client = new(KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Server.Kubeconfig));

    private string Kubeconfig => fixture.Server.Kubeconfig;

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task KubectlCreatesAPdb_ItsStatusFollowsReadyPods_AndEvictionsSpendIt()
    {
        var ns = await NamespaceAsync("pdb-status");
        var created = await Kubectl.RunAsync(Kubeconfig, "create", "poddisruptionbudget", "web-pdb", "--selector", "app=web", "--min-available", "1", "-n", ns);
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal("poddisruptionbudget.policy/web-pdb created", created.Stdout.Trim());

        // Pods no node takes (their nodeSelector matches none), made Ready here one at a time, as a kubelet would.
        foreach (var name in new[] { "web-a", "web-b" })
        {
            await CreatePodAsync(ns, name, "web");
        }

        await CreatePodAsync(ns, "loner", "other");
        await WaitForStatusAsync(ns, "web-pdb", (2, 0, 1, 0), "InsufficientPods");

        var node = new FakeNode(_client, ns);
        await node.MarkReadyAsync(await _client.CoreV1.ReadNamespacedPodAsync("web-a", ns), CancellationToken.None);
        await WaitForStatusAsync(ns, "web-pdb", (2, 1, 1, 0), "InsufficientPods");
        await node.MarkReadyAsync(await _client.CoreV1.ReadNamespacedPodAsync("web-b", ns), CancellationToken.None);
        var pdb = await WaitForStatusAsync(ns, "web-pdb", (2, 2, 1, 1), "SufficientPods");
        Assert.Equal(pdb.Metadata.Generation, pdb.Status.ObservedGeneration);

        var get = await Kubectl.RunAsync(Kubeconfig, "get", "pdb", "-n", ns);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Matches(@"^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\s*\n", get.Stdout);
        Assert.Matches(@"\nweb-pdb\s+1\s+N/A\s+1\s+\S+", get.Stdout);
        var describe = await Kubectl.RunAsync(Kubeconfig, "describe", "pdb", "web-pdb", "-n", ns);
        Assert.True(describe.ExitCode == 0, describe.ToString());
        Assert.Matches(@"Min available:\s+1\n", describe.Stdout);
        Assert.Matches(@"Selector:\s+app=web\n", describe.Stdout);
        Assert.Matches(@"Allowed disruptions:\s+1\n\s+Current:\s+2\n\s+Desired:\s+1\n\s+Total:\s+2\n", describe.Stdout);

        // One disruption to spare: the first eviction takes it and deletes the pod; the second is refused with 429.
        await EvictAsync(ns, "web-a");
        Assert.Empty((await _client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "metadata.name=web-a")).Items);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => EvictAsync(ns, "web-b"));
        Assert.Equal(429, (int)refused.Response.StatusCode);
        var status = System.Text.Json.Nodes.JsonNode.Parse(refused.Response.Content)!;
        Assert.Equal(("TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget."), ((string?)status["reason"], (string?)status["message"]));
        var cause = status["details"]!["causes"]!.AsArray().Single()!;
        Assert.Equal(("DisruptionBudget", "The disruption budget web-pdb needs 1 healthy pods and has 1 currently"), ((string?)cause["reason"], (string?)cause["message"]));
        Assert.Single((await _client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "metadata.name=web-b")).Items);

        // The controller drops the gone pod from disruptedPods and counts what is left.
        var settled = await WaitForStatusAsync(ns, "web-pdb", (1, 1, 1, 0), "InsufficientPods");
        Assert.True(settled.Status.DisruptedPods is null or { Count: 0 });

        // No PDB selects the loner: it is simply deleted.
        await EvictAsync(ns, "loner");
        Assert.Empty((await _client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "metadata.name=loner")).Items);
    }

    [Fact]
    public async Task KubectlDrain_EvictsAHollowNodesPods_WaitingOnTheBudgetUntilAReplacementIsReady()
    {
        var ns = await NamespaceAsync("pdb-drain");
        var (drained, spare) = (DisruptionFixture.Prefix + "0", DisruptionFixture.Prefix + "1");
        // Both replicas on the node to drain: the other node is cordoned while they are placed.
        Assert.Equal(0, (await Kubectl.RunAsync(Kubeconfig, "cordon", spare)).ExitCode);
        try
        {
            var deployment = await Kubectl.RunWithInputAsync(Kubeconfig, $$$"""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: db, namespace: {{{ns}}}}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec:
                      containers:
                      - name: db
                        image: nginx:1.27
                        resources: {requests: {cpu: 100m, memory: 64Mi}}
                """, "apply", "-f", "-");
            Assert.True(deployment.ExitCode == 0, deployment.ToString());
            var placed = await WaitForAsync(
                async () => (await _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=db")).Items,
                pods => pods.Count == 2 && pods.All(p => p.Spec.NodeName == drained && FakeNode.IsReady(p)),
                "two Ready db pods on " + drained);
            Assert.Equal(2, placed.Count);
        }
        finally
        {
            Assert.Equal(0, (await Kubectl.RunAsync(Kubeconfig, "uncordon", spare)).ExitCode);
        }

        var pdb = await Kubectl.RunAsync(Kubeconfig, "create", "pdb", "db", "--selector", "app=db", "--max-unavailable", "1", "-n", ns);
        Assert.True(pdb.ExitCode == 0, pdb.ToString());
        await WaitForStatusAsync(ns, "db", (2, 2, 1, 1), "SufficientPods");

        var drain = await Kubectl.RunAsync(Kubeconfig, "drain", drained, "--ignore-daemonsets", "--timeout=120s");

        Assert.True(drain.ExitCode == 0, drain.ToString());
        Assert.Contains($"node/{drained} cordoned", drain.Stdout, StringComparison.Ordinal);
        Assert.Contains($"node/{drained} drained", drain.Stdout, StringComparison.Ordinal);
        // The second pod waited: its eviction was refused until the first one's replacement was Ready on the spare node.
        Assert.Contains("Cannot evict pod as it would violate the pod's disruption budget.", drain.Stdout + drain.Stderr, StringComparison.Ordinal);
        var after = await WaitForAsync(
            async () => (await _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=db")).Items,
            pods => pods.Count == 2 && pods.All(p => p.Spec.NodeName == spare && FakeNode.IsReady(p)),
            "two Ready db pods on " + spare);
        Assert.Equal(2, after.Count);
        Assert.True((await _client.CoreV1.ReadNodeAsync(drained)).Spec.Unschedulable);
        Assert.Equal(0, (await Kubectl.RunAsync(Kubeconfig, "uncordon", drained)).ExitCode);
    }

    private Task EvictAsync(string ns, string name) =>
        _client.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns } }, name, ns);

    private async Task<string> NamespaceAsync(string prefix)
    {
        var ns = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        return ns;
    }

    private Task CreatePodAsync(string ns, string name, string app) =>
        _client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = app } },
            Spec = new V1PodSpec
            {
                NodeSelector = new Dictionary<string, string> { ["no-such-node"] = "true" },
                Containers = [new V1Container { Name = "app", Image = "nginx" }],
            },
        }, ns);

    // Waits for (expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed) and the DisruptionAllowed reason.
    private Task<V1PodDisruptionBudget> WaitForStatusAsync(string ns, string name, (int Expected, int Healthy, int Desired, int Allowed) counts, string reason) =>
        WaitForAsync(
            () => _client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync(name, ns),
            p => p.Status is { } s && (s.ExpectedPods, s.CurrentHealthy, s.DesiredHealthy, s.DisruptionsAllowed) == counts
                && s.Conditions?.SingleOrDefault(c => c.Type == "DisruptionAllowed")?.Reason == reason,
            $"PDB {ns}/{name} at {counts} {reason}");

    private async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        var last = default(T);
        while (true)
        {
            last = await read();
            if (done(last))
            {
                return last;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}; last: {KubernetesJson.Serialize(last)}\nthe server's log:\n{fixture.Server.Log}");
            }

            await Task.Delay(100);
        }
    }
}
