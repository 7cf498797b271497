using Cetus.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.E2E.Tests.Controllers;

/// <summary>
/// Controller managers as separate real processes (<c>cetus controller-manager</c>) against a <c>cetus server</c>
/// that runs none itself: two of them elect exactly one leader, the other takes over when the leader dies; a
/// controller manager killed with SIGKILL in the middle of a rollout and started again finishes it with exactly the
/// right pods. A <see cref="FakeNode"/> makes pods ready in place of a kubelet.
/// </summary>
public sealed class ControllerManagerFailoverScenarios : IAsyncLifetime
{
    private const string Ns = "default";
    private CetusServerProcess _server = null!;
    private Kubernetes _client = null!;
    private readonly List<CetusProcess> _managers = [];

    public async Task InitializeAsync()
    {
        _server = await CetusServerProcess.StartAsync(arguments: ["--disable-controller-manager", "--disable-scheduler"]);
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_server.Kubeconfig));
    }

    public async Task DisposeAsync()
    {
        foreach (var manager in _managers)
        {
            await manager.DisposeAsync();
        }

        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task TwoControllerManagers_OneLeads_TheOtherTakesOverWhenItDies()
    {
        using var stop = new CancellationTokenSource();
        var first = await StartManagerAsync();
        var leader = await WaitFor(LeaseAsync, l => !string.IsNullOrEmpty(l?.Spec?.HolderIdentity), "the first controller manager to lead", TimeSpan.FromSeconds(30));
        var second = await StartManagerAsync();

        await ApplyDeploymentAsync("failover", "nginx:1.27", replicas: 3);
        var fakeNode = new FakeNode(_client, Ns);
        var marking = fakeNode.RunAsync("app=failover", stop.Token);
        await WaitFor(() => fakeNode.PodsAsync("app=failover", CancellationToken.None), p => p.Count == 3, "3 pods", TimeSpan.FromSeconds(60));

        // While both run, the lease stays with the first and is renewed (its renewTime moves), never handed over.
        var renewed = await WaitFor(LeaseAsync, l => l!.Spec.RenewTime > leader!.Spec.RenewTime, "a renewal", TimeSpan.FromSeconds(30));
        Assert.Equal(leader!.Spec.HolderIdentity, renewed!.Spec.HolderIdentity);
        Assert.Equal(leader.Spec.LeaseTransitions, renewed.Spec.LeaseTransitions);
        Assert.Single((await _client.AppsV1.ListNamespacedReplicaSetAsync(Ns, labelSelector: "app=failover")).Items);
        Assert.Equal(3, (await fakeNode.PodsAsync("app=failover", CancellationToken.None)).Count);

        // The leader dies without letting go: the other acquires the lease once it expires (15 s) and acts.
        var killedAt = DateTime.UtcNow;
        await first.KillAsync();
        var takenOver = await WaitFor(LeaseAsync, l => l!.Spec.HolderIdentity != leader.Spec.HolderIdentity, "the second controller manager to lead", TimeSpan.FromSeconds(40));
        var takeover = DateTime.UtcNow - killedAt;
        Assert.True(takeover < TimeSpan.FromSeconds(25), $"takeover took {takeover}");
        Assert.Equal((leader.Spec.LeaseTransitions ?? 0) + 1, takenOver!.Spec.LeaseTransitions);
        Assert.True(second.IsRunning);

        await _client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), "failover", Ns);
        await WaitFor(() => fakeNode.PodsAsync("app=failover", CancellationToken.None), p => p.Count == 5, "5 pods after scaling under the new leader", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await marking;
    }

    [Fact]
    public async Task KilledMidRollout_AndRestarted_TheRolloutCompletesWithExactlyTheRightPods()
    {
        const int replicas = 100;
        using var stop = new CancellationTokenSource();
        var manager = await StartManagerAsync();
        var fakeNode = new FakeNode(_client, Ns);
        var marking = fakeNode.RunAsync("app=big", stop.Token);
        await ApplyDeploymentAsync("big", "nginx:1.27", replicas);
        await WaitFor(() => fakeNode.PodsAsync("app=big", CancellationToken.None), p => p.Count == replicas && p.All(FakeNode.IsReady), $"{replicas} ready pods", TimeSpan.FromSeconds(120));

        // Roll out a new image and kill the controller manager (SIGKILL) once the new ReplicaSet has a few pods.
        await ApplyDeploymentAsync("big", "nginx:1.28", replicas);
        await WaitFor(
            async () => (await _client.AppsV1.ListNamespacedReplicaSetAsync(Ns, labelSelector: "app=big")).Items,
            sets => sets.Any(rs => rs.Spec.Template.Spec.Containers[0].Image == "nginx:1.28" && rs.Status?.Replicas is >= 10 and < replicas),
            "the rollout under way",
            TimeSpan.FromSeconds(60));
        await manager.KillAsync();
        await StartManagerAsync();

        var done = await WaitFor(
            async () => await _client.AppsV1.ReadNamespacedDeploymentAsync("big", Ns),
            d => d.Status is { } s && s.ObservedGeneration == d.Metadata.Generation && s.UpdatedReplicas == replicas && s.Replicas == replicas && s.AvailableReplicas == replicas,
            "the rollout to complete",
            TimeSpan.FromSeconds(180));
        Assert.Equal(replicas, done.Status.ReadyReplicas);

        var sets = (await _client.AppsV1.ListNamespacedReplicaSetAsync(Ns, labelSelector: "app=big")).Items;
        var current = Assert.Single(sets, rs => rs.Spec.Template.Spec.Containers[0].Image == "nginx:1.28");
        Assert.All(sets.Where(rs => rs != current), rs => Assert.Equal(0, rs.Spec.Replicas));
        var pods = await WaitFor(() => fakeNode.PodsAsync("app=big", CancellationToken.None), p => p.Count == replicas, $"exactly {replicas} pods", TimeSpan.FromSeconds(60));
        Assert.All(pods, pod =>
        {
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(current.Metadata.Uid, owner.Uid);
            Assert.Equal("nginx:1.28", pod.Spec.Containers[0].Image);
        });
        Assert.Equal(replicas, pods.Select(p => p.Metadata.Name).Distinct().Count());
        await stop.CancelAsync();
        await marking;
    }

    private async Task<CetusProcess> StartManagerAsync()
    {
        var manager = await CetusProcess.StartAsync(["controller-manager", "--kubeconfig", _server.Kubeconfig], line => line.Contains("controller manager against", StringComparison.Ordinal));
        _managers.Add(manager);
        return manager;
    }

    private async Task<V1Lease?> LeaseAsync()
    {
        try
        {
            return await _client.CoordinationV1.ReadNamespacedLeaseAsync("kube-controller-manager", "kube-system");
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task ApplyDeploymentAsync(string name, string image, int replicas)
    {
        var yaml = $"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {name}
              namespace: {Ns}
            spec:
              replicas: {replicas}
              selector:
                matchLabels:
                  app: {name}
              template:
                metadata:
                  labels:
                    app: {name}
                spec:
                  containers:
                  - name: web
                    image: "{image}"
            """;
        var result = await Kubectl.RunWithInputAsync(_server.Kubeconfig, yaml, "apply", "-f", "-");
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private static async Task<T> WaitFor<T>(Func<Task<T>> read, Func<T, bool> condition, string what, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var value = await read();
            if (value is not null && condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {patience} waiting for {what}");
            }

            await Task.Delay(100);
        }
    }
}
