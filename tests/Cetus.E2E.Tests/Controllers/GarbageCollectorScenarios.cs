using Cetus.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.E2E.Tests.Controllers;

/// <summary>
/// The garbage collector of a real <c>cetus server</c>, driven by <c>kubectl delete --cascade=…</c>. With no
/// scheduler or kubelet yet, the test binds pods (pods/binding) and finishes their graceful deletion as a kubelet
/// would, where a scenario needs pods that do not vanish at once.
/// </summary>
public sealed class GarbageCollectorScenarios(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private const string Ns = "default";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Kubernetes _client = new(KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Server.Kubeconfig));

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task DeleteCascadeBackground_RemovesTheReplicaSetAndItsPods()
    {
        var name = Unique("bg");
        await CreateDeploymentAsync(name, 2);
        await WaitFor(() => PodsAsync(name), p => p.Count == 2, "2 pods");

        var deleted = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "delete", "deployment", name, "--cascade=background");

        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal($"deployment.apps \"{name}\" deleted", deleted.Stdout.Trim());
        await WaitFor(() => ReplicaSetsAsync(name), r => r.Count == 0, "the ReplicaSet to be collected");
        await WaitFor(() => PodsAsync(name), p => p.Count == 0, "the pods to be collected");
    }

    [Fact]
    public async Task DeleteCascadeForeground_TheDeploymentStaysWithTheFinalizerUntilItsDependentsAreGone()
    {
        var name = Unique("fg");
        await CreateDeploymentAsync(name, 2);
        var pods = await WaitFor(() => PodsAsync(name), p => p.Count == 2, "2 pods");
        foreach (var pod in pods)
        {
            // As the scheduler would: bound pods are deleted gracefully, so they linger until a kubelet finishes them.
            await BindAsync(pod.Metadata.Name);
        }

        var delete = Kubectl.RunAsync(fixture.Server.Kubeconfig, "delete", "deployment", name, "--cascade=foreground", "--timeout=90s");

        var terminating = await WaitFor(() => PodsAsync(name), p => p.Count == 2 && p.All(x => x.Metadata.DeletionTimestamp is not null), "the pods to be terminating");
        var deployment = await _client.AppsV1.ReadNamespacedDeploymentAsync(name, Ns);
        Assert.NotNull(deployment.Metadata.DeletionTimestamp);
        Assert.Contains("foregroundDeletion", deployment.Metadata.Finalizers);
        var rs = Assert.Single(await ReplicaSetsAsync(name));
        Assert.NotNull(rs.Metadata.DeletionTimestamp);
        Assert.Contains("foregroundDeletion", rs.Metadata.Finalizers);
        Assert.False(delete.IsCompleted, "kubectl returned while the Deployment's dependents still exist");

        // As the kubelet would once the containers stopped: the pods go, then the ReplicaSet, then the Deployment.
        foreach (var pod in terminating)
        {
            await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Ns, new V1DeleteOptions { GracePeriodSeconds = 0 });
        }

        var result = await delete;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"deployment.apps \"{name}\" deleted", result.Stdout.Trim());
        Assert.Empty(await ReplicaSetsAsync(name));
        Assert.Empty(await PodsAsync(name));
    }

    [Fact]
    public async Task DeleteCascadeOrphan_TheReplicaSetAndPodsRemain_WithoutTheOwnerReference()
    {
        var name = Unique("orphan");
        await CreateDeploymentAsync(name, 2);
        await WaitFor(() => PodsAsync(name), p => p.Count == 2, "2 pods");
        var rsBefore = Assert.Single(await ReplicaSetsAsync(name));

        var deleted = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "delete", "deployment", name, "--cascade=orphan");

        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal($"deployment.apps \"{name}\" deleted", deleted.Stdout.Trim());
        var gone = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "deployment", name);
        Assert.Contains("NotFound", gone.Stderr, StringComparison.Ordinal);
        var rs = Assert.Single(await WaitFor(() => ReplicaSetsAsync(name), r => r.Count == 1 && r[0].Metadata.OwnerReferences is not { Count: > 0 }, "the ReplicaSet to be orphaned"));
        Assert.Equal(rsBefore.Metadata.Uid, rs.Metadata.Uid);
        Assert.Null(rs.Metadata.DeletionTimestamp);
        var pods = await PodsAsync(name);
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Equal(rs.Metadata.Uid, Assert.Single(p.Metadata.OwnerReferences).Uid));
    }

    [Fact]
    public async Task DanglingOwnerReferences_AreCollected_WhileASolidOneKeepsItsDependent()
    {
        var owner = Unique("owner");
        var created = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "create", "configmap", owner);
        Assert.True(created.ExitCode == 0, created.ToString());
        var ownerUid = (await _client.CoreV1.ReadNamespacedConfigMapAsync(owner, Ns)).Metadata.Uid;
        var missing = Unique("missing");
        var reused = Unique("reused");
        var solid = Unique("solid");
        var manifest = $"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {missing}
              ownerReferences: [{"{"}apiVersion: v1, kind: ConfigMap, name: never-was, uid: 0b0c7f3c-0000-4000-8000-00000000dead{"}"}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {reused}
              ownerReferences: [{"{"}apiVersion: v1, kind: ConfigMap, name: {owner}, uid: 0b0c7f3c-0000-4000-8000-00000000beef{"}"}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {solid}
              ownerReferences: [{"{"}apiVersion: v1, kind: ConfigMap, name: {owner}, uid: {ownerUid}{"}"}]
            """;
        var applied = await Kubectl.RunWithInputAsync(fixture.Server.Kubeconfig, manifest, "apply", "-f", "-");
        Assert.True(applied.ExitCode == 0, applied.ToString());

        // No owner with that uid (none at all, or another object under the name): the dependents go.
        await WaitFor(() => ConfigMapExistsAsync(missing), exists => !exists, $"{missing} to be collected");
        await WaitFor(() => ConfigMapExistsAsync(reused), exists => !exists, $"{reused} to be collected");
        Assert.True(await ConfigMapExistsAsync(solid));
        Assert.True(await ConfigMapExistsAsync(owner));

        // And once its owner is deleted, the solid one follows.
        var deleted = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "delete", "configmap", owner);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        await WaitFor(() => ConfigMapExistsAsync(solid), exists => !exists, $"{solid} to be collected");
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";

    private async Task CreateDeploymentAsync(string name, int replicas)
    {
        var result = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "create", "deployment", name, "--image=nginx:1.27", $"--replicas={replicas}");
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private async Task BindAsync(string pod)
    {
        var binding = new V1Binding { Metadata = new V1ObjectMeta { Name = pod }, Target = new V1ObjectReference { Kind = "Node", Name = "node-1" } };
        using var response = await _client.CoreV1.CreateNamespacedPodBindingWithHttpMessagesAsync(binding, pod, Ns);
    }

    private async Task<bool> ConfigMapExistsAsync(string name) =>
        (await _client.CoreV1.ListNamespacedConfigMapAsync(Ns, fieldSelector: "metadata.name=" + name)).Items.Count > 0;

    private async Task<List<V1Pod>> PodsAsync(string name) => [.. (await _client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=" + name)).Items];

    private async Task<List<V1ReplicaSet>> ReplicaSetsAsync(string name) => [.. (await _client.AppsV1.ListNamespacedReplicaSetAsync(Ns, labelSelector: "app=" + name)).Items];

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
            await Task.Delay(50);
        }
    }
}
