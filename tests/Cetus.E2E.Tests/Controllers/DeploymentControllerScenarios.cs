using System.Text.RegularExpressions;
using Cetus.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.E2E.Tests.Controllers;

/// <summary>
/// The Deployment and ReplicaSet controllers of a real <c>cetus server</c> (its in-process controller manager), driven
/// with the real kubectl; a <see cref="FakeNode"/> makes pods ready in place of a kubelet.
/// </summary>
public sealed class DeploymentControllerScenarios(ControllersServerFixture fixture) : IClassFixture<ControllersServerFixture>, IDisposable
{
    private const string Ns = "default";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Kubernetes _client = new(KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Server.Kubeconfig));
    private readonly CancellationTokenSource _stop = new();

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _client.Dispose();
    }

    [Fact]
    public async Task Apply_CreatesOneReplicaSetAndItsPods_WithOwnerReferencesAndHashLabels()
    {
        var name = Unique("apply");
        await Apply(name, "nginx:1.27", replicas: 3);

        var pods = await WaitFor(() => Pods(name), p => p.Count == 3, "3 pods");
        var rs = Assert.Single((await _client.AppsV1.ListNamespacedReplicaSetAsync(Ns, labelSelector: "app=" + name)).Items);
        var deployment = await _client.AppsV1.ReadNamespacedDeploymentAsync(name, Ns);
        var rsOwner = Assert.Single(rs.Metadata.OwnerReferences);
        Assert.Equal(("apps/v1", "Deployment", name, deployment.Metadata.Uid, true, true), (rsOwner.ApiVersion, rsOwner.Kind, rsOwner.Name, rsOwner.Uid, rsOwner.Controller, rsOwner.BlockOwnerDeletion));
        var hash = rs.Spec.Selector.MatchLabels["pod-template-hash"];
        Assert.Equal($"{name}-{hash}", rs.Metadata.Name);
        Assert.Equal("1", rs.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.Equal(("3", "4"), (rs.Metadata.Annotations["deployment.kubernetes.io/desired-replicas"], rs.Metadata.Annotations["deployment.kubernetes.io/max-replicas"]));
        Assert.All(pods, pod =>
        {
            Assert.StartsWith(rs.Metadata.Name + "-", pod.Metadata.Name, StringComparison.Ordinal);
            Assert.Equal(hash, pod.Metadata.Labels["pod-template-hash"]);
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(("apps/v1", "ReplicaSet", rs.Metadata.Name, rs.Metadata.Uid, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller));
        });

        var described = await Run("describe", "deployment", name);
        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Matches($@"Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set {rs.Metadata.Name} from 0 to 3", described.Stdout);
        Assert.Matches($@"NewReplicaSet:\s+{rs.Metadata.Name} \(3/3 replicas created\)", described.Stdout);
    }

    [Fact]
    public async Task ChangeImage_RollsOutWithinMaxSurgeAndMaxUnavailable_AndRolloutStatusSucceeds()
    {
        const int replicas = 4;
        var name = Unique("roll");
        var node = new FakeNode(_client, Ns);
        await Apply(name, "nginx:1.27", replicas, maxSurge: "1", maxUnavailable: "1");
        foreach (var pod in await WaitFor(() => Pods(name), p => p.Count == replicas, "the first pods"))
        {
            await node.MarkReadyAsync(pod, _stop.Token);
        }

        await WaitFor(() => Status(name), s => s.AvailableReplicas == replicas, "the first rollout");

        var set = await Run("set", "image", "deployment/" + name, "app=nginx:1.28");
        Assert.True(set.ExitCode == 0, set.ToString());

        // Started after the change, kubectl waits: no new pod becomes ready until this test says so, and the test says
        // so only once kubectl has said it is waiting (it may take longer to start than the whole rollout would).
        await using var status = Kubectl.Start(fixture.Server.Kubeconfig, "rollout", "status", "deployment/" + name, "--timeout", "90s");
        var printed = new List<string>();
        while (!printed.Any(l => l.Contains($"Waiting for deployment \"{name}\" rollout to finish:", StringComparison.Ordinal)))
        {
            printed.Add(await status.ReadLineAsync(Patience) ?? throw new InvalidOperationException($"kubectl rollout status ended before waiting for the rollout: {string.Join('\n', printed)}\n{status.Stderr}"));
        }

        // Step by step, one pod made ready at a time: the controller never asks for more than replicas + maxSurge
        // pods and never leaves fewer than replicas - maxUnavailable ready.
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the rollout did not finish in time");
            var sets = (await _client.AppsV1.ListNamespacedReplicaSetAsync(Ns, labelSelector: "app=" + name)).Items;
            var pods = await node.PodsAsync("app=" + name, _stop.Token);
            Assert.True(sets.Sum(rs => rs.Spec.Replicas ?? 0) <= replicas + 1, $"ReplicaSets ask for more than {replicas}+1 pods: {string.Join(", ", sets.Select(rs => $"{rs.Metadata.Name}={rs.Spec.Replicas}"))}");
            Assert.True(pods.Count(FakeNode.IsReady) >= replicas - 1, $"fewer than {replicas}-1 pods ready");

            var newRs = sets.SingleOrDefault(rs => rs.Spec.Template.Spec.Containers[0].Image == "nginx:1.28");
            if (newRs is not null && pods.Count == replicas && pods.All(FakeNode.IsReady) && pods.All(p => p.Metadata.Labels["pod-template-hash"] == newRs.Spec.Selector.MatchLabels["pod-template-hash"]))
            {
                break;
            }

            if (pods.FirstOrDefault(p => !FakeNode.IsReady(p)) is { } waiting)
            {
                await node.MarkReadyAsync(waiting, _stop.Token);
            }

            await Task.Delay(50);
        }

        var exitCode = await status.WaitForExitAsync(Patience);
        await foreach (var line in status.Lines.ReadAllAsync())
        {
            printed.Add(line);
        }

        Assert.True(exitCode == 0, $"exit {exitCode}\n{string.Join('\n', printed)}\n{status.Stderr}");
        Assert.Equal($"deployment \"{name}\" successfully rolled out", printed[^1].Trim());

        var final = await WaitFor(() => Status(name), s => s.UpdatedReplicas == replicas && s.Replicas == replicas && s.AvailableReplicas == replicas, "the final status");
        Assert.Equal((0, replicas), (final.UnavailableReplicas ?? 0, final.ReadyReplicas ?? 0));
        var progressing = final.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal(("True", "NewReplicaSetAvailable"), (progressing.Status, progressing.Reason));
        var available = final.Conditions.Single(c => c.Type == "Available");
        Assert.Equal(("True", "MinimumReplicasAvailable", "Deployment has minimum availability."), (available.Status, available.Reason, available.Message));
    }

    [Fact]
    public async Task RolloutHistoryUndoAndRestart_BehaveAsKubernetes()
    {
        var name = Unique("undo");
        _ = new FakeNode(_client, Ns).RunAsync("app=" + name, _stop.Token);
        await Apply(name, "nginx:1.27", replicas: 2);
        await RolledOut(name);
        Assert.True((await Run("set", "image", "deployment/" + name, "app=nginx:1.28")).ExitCode == 0);
        await RolledOut(name);

        var history = await Run("rollout", "history", "deployment/" + name);
        Assert.True(history.ExitCode == 0, history.ToString());
        Assert.Equal($"deployment.apps/{name} \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n", history.Stdout);

        var undo = await Run("rollout", "undo", "deployment/" + name);
        Assert.True(undo.ExitCode == 0, undo.ToString());
        Assert.Equal($"deployment.apps/{name} rolled back", undo.Stdout.Trim());
        await RolledOut(name);
        Assert.Equal("nginx:1.27", await Image(name));
        var afterUndo = await Run("rollout", "history", "deployment/" + name);
        Assert.Equal($"deployment.apps/{name} \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n", afterUndo.Stdout);

        var toRevision = await Run("rollout", "undo", "deployment/" + name, "--to-revision=2");
        Assert.True(toRevision.ExitCode == 0, toRevision.ToString());
        Assert.Equal($"deployment.apps/{name} rolled back", toRevision.Stdout.Trim());
        await RolledOut(name);
        Assert.Equal("nginx:1.28", await Image(name));

        var missing = await Run("rollout", "undo", "deployment/" + name, "--to-revision=9");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("unable to find specified revision 9 in history", missing.Stderr, StringComparison.Ordinal);

        var restart = await Run("rollout", "restart", "deployment/" + name);
        Assert.True(restart.ExitCode == 0, restart.ToString());
        Assert.Equal($"deployment.apps/{name} restarted", restart.Stdout.Trim());
        await RolledOut(name);
        var sets = (await _client.AppsV1.ListNamespacedReplicaSetAsync(Ns, labelSelector: "app=" + name)).Items;
        var current = sets.Single(rs => rs.Spec.Replicas == 2);
        Assert.True(current.Spec.Template.Metadata.Annotations.ContainsKey("kubectl.kubernetes.io/restartedAt"));
        Assert.Equal("5", current.Metadata.Annotations["deployment.kubernetes.io/revision"]);
    }

    [Fact]
    public async Task PauseAndResume_HoldTheRolloutUntilResumed()
    {
        var name = Unique("pause");
        _ = new FakeNode(_client, Ns).RunAsync("app=" + name, _stop.Token);
        await Apply(name, "nginx:1.27", replicas: 2);
        await RolledOut(name);

        var paused = await Run("rollout", "pause", "deployment/" + name);
        Assert.True(paused.ExitCode == 0, paused.ToString());
        Assert.Equal($"deployment.apps/{name} paused", paused.Stdout.Trim());
        Assert.True((await Run("set", "image", "deployment/" + name, "app=nginx:1.28")).ExitCode == 0);

        // Once the controller has seen the change, it has still made no new ReplicaSet.
        var deployment = await _client.AppsV1.ReadNamespacedDeploymentAsync(name, Ns);
        var status = await WaitFor(() => Status(name), s => s.ObservedGeneration >= deployment.Metadata.Generation, "the paused change observed");
        Assert.Single((await _client.AppsV1.ListNamespacedReplicaSetAsync(Ns, labelSelector: "app=" + name)).Items);
        var progressing = status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal(("Unknown", "DeploymentPaused", "Deployment is paused"), (progressing.Status, progressing.Reason, progressing.Message));
        var again = await Run("rollout", "pause", "deployment/" + name);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"deployments.apps \"{name}\" is already paused", again.Stderr, StringComparison.Ordinal);

        var resumed = await Run("rollout", "resume", "deployment/" + name);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal($"deployment.apps/{name} resumed", resumed.Stdout.Trim());
        await RolledOut(name);
        Assert.Equal(2, (await _client.AppsV1.ListNamespacedReplicaSetAsync(Ns, labelSelector: "app=" + name)).Items.Count);
    }

    [Fact]
    public async Task Scale_UpAndDown_CreatesAndDeletesPods()
    {
        var name = Unique("scale");
        await Apply(name, "nginx:1.27", replicas: 1);
        await WaitFor(() => Pods(name), p => p.Count == 1, "1 pod");

        var up = await Run("scale", "deployment/" + name, "--replicas=5");
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Equal($"deployment.apps/{name} scaled", up.Stdout.Trim());
        await WaitFor(() => Pods(name), p => p.Count == 5, "5 pods");

        var down = await Run("scale", "deployment", name, "--replicas=2", "--current-replicas=5");
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Equal($"deployment.apps/{name} scaled", down.Stdout.Trim());
        await WaitFor(() => Pods(name), p => p.Count == 2, "2 pods");
        var status = await WaitFor(() => Status(name), s => s.Replicas == 2, "2 replicas in status");
        Assert.Equal(2, status.UpdatedReplicas);

        var wrong = await Run("scale", "deployment", name, "--replicas=3", "--current-replicas=7");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("error: Expected replicas to be 7, was 2", wrong.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RolloutStatus_FailsWhenTheProgressDeadlineIsExceeded()
    {
        var name = Unique("stuck");
        await Apply(name, "nginx:1.27", replicas: 1, progressDeadlineSeconds: 2);

        var result = await Run("rollout", "status", "deployment/" + name, "--timeout", "60s");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: deployment \"{name}\" exceeded its progress deadline", result.Stderr, StringComparison.Ordinal);
        // Progress seen after the deadline (the ReplicaSet's status catching up late on a busy machine) sets
        // Progressing back to True, as upstream does; with no pod ever ready it times out again, and stays so.
        var final = await WaitFor(() => Status(name), s => s.Conditions.Any(c => c is { Type: "Progressing", Status: "False" }), "Progressing=False");
        var progressing = final.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal(("False", "ProgressDeadlineExceeded"), (progressing.Status, progressing.Reason));
        Assert.Matches($"^ReplicaSet \"{name}-[a-z0-9]+\" has timed out progressing\\.$", progressing.Message);
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";

    private async Task Apply(string name, string image, int replicas, string? maxSurge = null, string? maxUnavailable = null, int? progressDeadlineSeconds = null)
    {
        var strategy = maxSurge is null ? string.Empty : $"\n  strategy:\n    type: RollingUpdate\n    rollingUpdate: {{maxSurge: {maxSurge}, maxUnavailable: {maxUnavailable}}}";
        var deadline = progressDeadlineSeconds is null ? string.Empty : $"\n  progressDeadlineSeconds: {progressDeadlineSeconds}";
        var manifest = $"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {name}
            spec:
              replicas: {replicas}{strategy}{deadline}
              selector:
                matchLabels: {"{"}app: {name}{"}"}
              template:
                metadata:
                  labels: {"{"}app: {name}{"}"}
                spec:
                  containers:
                  - name: app
                    image: {image}
            """;
        var result = await Kubectl.RunWithInputAsync(fixture.Server.Kubeconfig, manifest, "apply", "-f", "-");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"deployment.apps/{name} created", result.Stdout.Trim());
    }

    private async Task RolledOut(string name)
    {
        var result = await Run("rollout", "status", "deployment/" + name, "--timeout", "60s");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.EndsWith($"deployment \"{name}\" successfully rolled out", result.Stdout.Trim(), StringComparison.Ordinal);
    }

    private async Task<string> Image(string name) => (await _client.AppsV1.ReadNamespacedDeploymentAsync(name, Ns)).Spec.Template.Spec.Containers[0].Image;

    private async Task<List<V1Pod>> Pods(string name) => await new FakeNode(_client, Ns).PodsAsync("app=" + name, _stop.Token);

    private async Task<V1DeploymentStatus> Status(string name) => (await _client.AppsV1.ReadNamespacedDeploymentAsync(name, Ns)).Status ?? new V1DeploymentStatus();

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

    private Task<Kubectl.Result> Run(params string[] args) => RunAsync(args);

    private Task<Kubectl.Result> RunAsync(params string[] args) => Kubectl.RunAsync(fixture.Server.Kubeconfig, args);
}
