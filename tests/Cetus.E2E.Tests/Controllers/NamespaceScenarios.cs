using Cetus.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.E2E.Tests.Controllers;

/// <summary>
/// Namespace deletion on a real <c>cetus server</c>, driven by kubectl: the namespace goes Terminating, the
/// namespace controller deletes its content (the garbage collector the Deployment's dependents), waits for pods
/// that terminate gracefully, then removes the kubernetes finalizer and the namespace is gone.
/// </summary>
public sealed class NamespaceScenarios(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly Kubernetes _client = new(KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Server.Kubeconfig));

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task DeleteNamespace_WithADeploymentConfigMapsAndPods_CompletesAndEverythingIsGone()
    {
        var ns = Unique("team");
        await Run(0, "create", "namespace", ns);
        await Run(0, "create", "deployment", "web", "--image=nginx:1.27", "--replicas=2", "-n", ns);
        await Run(0, "create", "configmap", "settings", "--from-literal=a=b", "-n", ns);
        await Run(0, "create", "configmap", "more", "-n", ns);
        await Run(0, "run", "solo", "--image=nginx:1.27", "-n", ns);
        await WaitFor(async () => (await _client.CoreV1.ListNamespacedPodAsync(ns)).Items.Count, n => n == 3, "3 pods");

        // kubectl waits until the namespace is gone.
        var deleted = await Run(0, "delete", "namespace", ns, "--timeout=90s");

        Assert.Equal($"namespace \"{ns}\" deleted", deleted.Stdout.Trim());
        var get = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "namespace", ns);
        Assert.Equal(1, get.ExitCode);
        Assert.Equal($"Error from server (NotFound): namespaces \"{ns}\" not found", get.Stderr.Trim());
        Assert.Empty((await _client.CoreV1.ListNamespacedPodAsync(ns)).Items);
        Assert.Empty((await _client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items);
        Assert.Empty((await _client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items);
        Assert.Empty((await _client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items);
    }

    [Fact]
    public async Task TerminatingNamespace_RefusesNewContent_AndWaitsForAGracefullyTerminatingPod()
    {
        var ns = Unique("leaving");
        await Run(0, "create", "namespace", ns);
        var pod = $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: bound}
            spec:
              nodeName: node-1
              terminationGracePeriodSeconds: 10
              containers: [{name: app, image: "nginx:1.27"}]
            """;
        var created = await Kubectl.RunWithInputAsync(fixture.Server.Kubeconfig, pod, "apply", "-n", ns, "-f", "-");
        Assert.True(created.ExitCode == 0, created.ToString());

        await Run(0, "delete", "namespace", ns, "--wait=false");

        var refused = await Run(1, "create", "configmap", "late", "-n", ns);
        Assert.Equal($"error: failed to create configmap: configmaps \"late\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", refused.Stderr.Trim());
        var listed = await Run(0, "get", "namespace", ns, "--no-headers");
        Assert.Matches($@"^{ns}\s+Terminating\s+", listed.Stdout);

        // The pod is bound to a node: its deletion is graceful and the namespace waits for it, saying so.
        var remaining = await WaitFor(
            () => _client.CoreV1.ReadNamespaceAsync(ns),
            n => n.Status?.Conditions?.Any(c => c.Type == "NamespaceContentRemaining" && c.Status == "True") == true,
            "the NamespaceContentRemaining condition");
        Assert.Equal("Some resources are remaining: pods. has 1 resource instances", remaining.Status.Conditions.Single(c => c.Type == "NamespaceContentRemaining").Message);
        Assert.Equal("SomeResourcesRemain", remaining.Status.Conditions.Single(c => c.Type == "NamespaceContentRemaining").Reason);
        Assert.Equal("Terminating", remaining.Status.Phase);
        Assert.Contains("kubernetes", remaining.Spec.Finalizers);
        Assert.NotNull((await _client.CoreV1.ReadNamespacedPodAsync("bound", ns)).Metadata.DeletionTimestamp);

        // As the kubelet would once the containers stopped.
        await _client.CoreV1.DeleteNamespacedPodAsync("bound", ns, new V1DeleteOptions { GracePeriodSeconds = 0 });

        var waited = await Run(0, "wait", "--for=delete", "namespace/" + ns, "--timeout=90s");
        Assert.Equal($"namespace/{ns} condition met", waited.Stdout.Trim());
    }

    [Theory]
    [InlineData("kube-system")]
    [InlineData("default")]
    public async Task DeleteSystemNamespace_IsRefused(string ns)
    {
        var result = await Run(1, "delete", "namespace", ns);

        Assert.Equal($"Error from server (Forbidden): namespaces \"{ns}\" is forbidden: this namespace may not be deleted", result.Stderr.Trim());
        var listed = await Run(0, "get", "namespace", ns, "--no-headers");
        Assert.Matches($@"^{ns}\s+Active\s+", listed.Stdout);
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";

    private async Task<Kubectl.Result> Run(int expectedExit, params string[] args)
    {
        var result = await Kubectl.RunAsync(fixture.Server.Kubeconfig, args);
        Assert.True(result.ExitCode == expectedExit, result.ToString());
        return result;
    }

    private static async Task<T> WaitFor<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
