using Cetus.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.E2E.Tests.Kubelet;

/// <summary>A real <c>cetus server</c> and a real <c>cetus hollow --nodes 3</c> process, driven with the real kubectl.</summary>
public sealed class HollowNodeFixture : IAsyncLifetime
{
    public const string Prefix = "hollow-e2e-";

    public CetusServerProcess Server { get; private set; } = null!;

    public CetusHollowProcess Hollow { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await CetusServerProcess.StartAsync();
        Hollow = await CetusHollowProcess.StartAsync(Server.Kubeconfig, ["--nodes", "3", "--name-prefix", Prefix, "--cpu", "8", "--memory", "32Gi", "--pods", "50", "--labels", "topology.kubernetes.io/zone=z1,tier=sim", "--taints", "dedicated=sim:NoExecute"]);
    }

    public async Task DisposeAsync()
    {
        await Hollow.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// Simulated nodes through the whole node path: registration, Lease heartbeats, pods bound by nodeName brought to
/// Running/Ready with the kubelet's status, graceful deletion finished by the node, and a Deployment rolled out.
/// </summary>
public sealed class HollowNodeScenarios(HollowNodeFixture fixture) : IClassFixture<HollowNodeFixture>, IDisposable
{
    private const string Ns = "default";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Kubernetes _client = new(KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Server.Kubeconfig));

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Hollow_RegistersReadyNodes_WithCapacityLabelsTaints_AndRenewsTheirLeases()
    {
        var nodes = await WaitFor(async () => (await _client.CoreV1.ListNodeAsync()).Items.Where(n => n.Metadata.Name.StartsWith(HollowNodeFixture.Prefix, StringComparison.Ordinal)).ToList(), n => n.Count == 3, "3 nodes");
        Assert.Equal([HollowNodeFixture.Prefix + "0", HollowNodeFixture.Prefix + "1", HollowNodeFixture.Prefix + "2"], nodes.Select(n => n.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.All(nodes, node =>
        {
            var ready = Assert.Single(node.Status.Conditions, c => c.Type == "Ready");
            Assert.Equal(("True", "KubeletReady"), (ready.Status, ready.Reason));
            Assert.Equal(["DiskPressure", "MemoryPressure", "PIDPressure", "Ready"], node.Status.Conditions.Select(c => c.Type).Order(StringComparer.Ordinal));
            Assert.Equal(("8", "32Gi", "50"), (node.Status.Capacity["cpu"].ToString(), node.Status.Capacity["memory"].ToString(), node.Status.Capacity["pods"].ToString()));
            Assert.Equal(node.Status.Capacity["cpu"].ToString(), node.Status.Allocatable["cpu"].ToString());
            Assert.Equal(("z1", "sim", node.Metadata.Name, "linux"), (node.Metadata.Labels["topology.kubernetes.io/zone"], node.Metadata.Labels["tier"], node.Metadata.Labels["kubernetes.io/hostname"], node.Metadata.Labels["kubernetes.io/os"]));
            var taint = Assert.Single(node.Spec.Taints);
            Assert.Equal(("dedicated", "sim", "NoExecute"), (taint.Key, taint.Value, taint.Effect));
            Assert.Contains(node.Status.Addresses, a => a.Type == "InternalIP" && !string.IsNullOrEmpty(a.Address));
            Assert.StartsWith("fake://", node.Status.NodeInfo.ContainerRuntimeVersion, StringComparison.Ordinal);
        });

        var wide = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "nodes", "-o", "wide");
        Assert.True(wide.ExitCode == 0, wide.ToString());
        Assert.Matches($@"{HollowNodeFixture.Prefix}1\s+Ready\s+", wide.Stdout);

        var first = await Lease(HollowNodeFixture.Prefix + "1");
        Assert.Equal((HollowNodeFixture.Prefix + "1", 40), (first.Spec.HolderIdentity, first.Spec.LeaseDurationSeconds));
        var owner = Assert.Single(first.Metadata.OwnerReferences);
        Assert.Equal(("Node", nodes.Single(n => n.Metadata.Name == HollowNodeFixture.Prefix + "1").Metadata.Uid), (owner.Kind, owner.Uid));
        // Renewed every 10 s. The first renewal comes at the node's slot in the spread-out schedule, which may be soon
        // after the Lease was created; the interval is measured between two renewals after that.
        var renewed = await WaitFor(() => Lease(HollowNodeFixture.Prefix + "1"), l => l.Spec.RenewTime > first.Spec.RenewTime, "a lease renewal", TimeSpan.FromSeconds(30));
        var next = await WaitFor(() => Lease(HollowNodeFixture.Prefix + "1"), l => l.Spec.RenewTime > renewed.Spec.RenewTime, "a second lease renewal", TimeSpan.FromSeconds(30));
        Assert.InRange((next.Spec.RenewTime!.Value - renewed.Spec.RenewTime!.Value).TotalSeconds, 5, 25);
    }

    [Fact]
    public async Task PodBoundByNodeName_BecomesRunningAndReady_WithKubeletStatus_AndKubectlDeleteRemovesIt()
    {
        var name = Unique("pod");
        var node = HollowNodeFixture.Prefix + "1";
        var apply = await Kubectl.RunWithInputAsync(fixture.Server.Kubeconfig, $$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: {{{name}}}, namespace: {{{Ns}}}}
            spec:
              nodeName: {{{node}}}
              tolerations: [{key: dedicated, operator: Exists}]
              initContainers:
              - name: setup
                image: busybox:1.35
                resources: {limits: {cpu: 10m, memory: 16Mi} }
              containers:
              - name: app
                image: nginx:1.27
                resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 100m, memory: 64Mi} }
              - name: sidecar
                image: busybox:1.35
                resources: {requests: {cpu: 50m, memory: 32Mi}, limits: {cpu: 50m, memory: 32Mi} }
            """, "apply", "-f", "-");
        Assert.True(apply.ExitCode == 0, apply.ToString());

        var pod = await WaitFor(() => _client.CoreV1.ReadNamespacedPodAsync(name, Ns), p => p.Status?.Phase == "Running" && IsReady(p), "the pod Running and Ready");
        var nodeIP = (await _client.CoreV1.ReadNodeAsync(node)).Status.Addresses.Single(a => a.Type == "InternalIP").Address;
        var status = pod.Status;
        Assert.Equal(nodeIP, status.HostIP);
        Assert.False(string.IsNullOrEmpty(status.PodIP));
        Assert.Equal(status.PodIP, Assert.Single(status.PodIPs).Ip);
        Assert.NotNull(status.StartTime);
        Assert.Equal("Guaranteed", status.QosClass);
        Assert.Equal(["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"], status.Conditions.Select(c => c.Type));
        Assert.All(status.Conditions, c => Assert.Equal("True", c.Status));
        var init = Assert.Single(status.InitContainerStatuses);
        Assert.Equal(("setup", 0, "Completed", true), (init.Name, init.State.Terminated?.ExitCode, init.State.Terminated?.Reason, init.Ready));
        Assert.Equal(["app", "sidecar"], status.ContainerStatuses.Select(c => c.Name));
        Assert.All(status.ContainerStatuses, c =>
        {
            Assert.NotNull(c.State.Running);
            Assert.True(c.Ready);
            Assert.True(c.Started);
            Assert.Equal(0, c.RestartCount);
            Assert.StartsWith("fake://", c.ContainerID, StringComparison.Ordinal);
            Assert.StartsWith("sha256:", c.ImageID, StringComparison.Ordinal);
        });
        Assert.Equal("nginx:1.27", status.ContainerStatuses[0].Image);

        var get = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "pod", name, "-n", Ns);
        Assert.Matches($@"{name}\s+2/2\s+Running\s+0\s+", get.Stdout);

        // kubectl waits for the deletion to finish: the node stops the containers and deletes the object with grace 0.
        var delete = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "delete", "pod", name, "-n", Ns, "--timeout=60s");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        var gone = await _client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: "metadata.name=" + name);
        Assert.Empty(gone.Items);
    }

    [Fact]
    public async Task Deployment_PinnedToAHollowNode_RollsOut_AndRolloutStatusSucceeds()
    {
        var name = Unique("deploy");
        var apply = await Kubectl.RunWithInputAsync(fixture.Server.Kubeconfig, $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: {{{name}}}, namespace: {{{Ns}}}}
            spec:
              replicas: 3
              selector: {matchLabels: {app: {{{name}}}}}
              template:
                metadata: {labels: {app: {{{name}}}}}
                spec:
                  nodeName: {{{HollowNodeFixture.Prefix}}}2
                  tolerations: [{key: dedicated, operator: Exists}]
                  containers: [{name: web, image: nginx:1.27}]
            """, "apply", "-f", "-");
        Assert.True(apply.ExitCode == 0, apply.ToString());

        var rollout = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "rollout", "status", "deployment/" + name, "-n", Ns, "--timeout=60s");
        Assert.True(rollout.ExitCode == 0, rollout.ToString());
        Assert.Contains($"deployment \"{name}\" successfully rolled out", rollout.Stdout, StringComparison.Ordinal);

        var deployment = await _client.AppsV1.ReadNamespacedDeploymentAsync(name, Ns);
        Assert.Equal((3, 3, 3), (deployment.Status.ReadyReplicas, deployment.Status.AvailableReplicas, deployment.Status.UpdatedReplicas));
        var pods = (await _client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=" + name)).Items;
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal(("Running", true), (p.Status.Phase, IsReady(p))));
        Assert.Equal(3, pods.Select(p => p.Status.PodIP).Distinct().Count());
    }

    [Fact]
    public async Task ImageThatCannotBePulled_WaitsInImagePullBackOff_AsKubectlShows_AndDeletes()
    {
        // The fake runtime cannot pull from registries under .invalid (a name that never resolves).
        var name = Unique("pull");
        var apply = await Kubectl.RunWithInputAsync(fixture.Server.Kubeconfig, $$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: {{{name}}}, namespace: {{{Ns}}}}
            spec:
              nodeName: {{{HollowNodeFixture.Prefix}}}0
              tolerations: [{key: dedicated, operator: Exists}]
              containers: [{name: app, image: registry.invalid/app:1}]
            """, "apply", "-f", "-");
        Assert.True(apply.ExitCode == 0, apply.ToString());

        var pod = await WaitFor(() => _client.CoreV1.ReadNamespacedPodAsync(name, Ns), p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "ImagePullBackOff", "ImagePullBackOff");
        Assert.Equal("Back-off pulling image \"registry.invalid/app:1\"", pod.Status.ContainerStatuses[0].State.Waiting.Message);
        Assert.Equal("Pending", pod.Status.Phase);
        var get = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "pod", name, "-n", Ns);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Matches($@"{name}\s+0/1\s+(ImagePullBackOff|ErrImagePull)\s+0\s+", get.Stdout);

        var delete = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "delete", "pod", name, "-n", Ns, "--timeout=60s");
        Assert.True(delete.ExitCode == 0, delete.ToString());
    }

    [Fact]
    public async Task ImagePullSecret_FromKubectlCreateSecretDockerRegistry_LetsThePullThrough_AndItsAbsenceDoesNot()
    {
        // The fake runtime lets only user alice pull from alice.auth.invalid (FakeRuntime.CredentialsRequired).
        var secret = Unique("creds");
        var account = Unique("puller");
        var create = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "create", "secret", "docker-registry", secret, "-n", Ns, "--docker-server=alice.auth.invalid", "--docker-username=alice", "--docker-password=s3cret");
        Assert.True(create.ExitCode == 0, create.ToString());
        var (withSecret, viaAccount, without) = (Unique("private"), Unique("account"), Unique("anonymous"));
        var apply = await Kubectl.RunWithInputAsync(fixture.Server.Kubeconfig, $$$"""
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: {{{account}}}, namespace: {{{Ns}}}}
            imagePullSecrets: [{name: {{{secret}}}}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: {{{withSecret}}}, namespace: {{{Ns}}}}
            spec:
              nodeName: {{{HollowNodeFixture.Prefix}}}1
              tolerations: [{key: dedicated, operator: Exists}]
              imagePullSecrets: [{name: {{{secret}}}}]
              containers: [{name: app, image: alice.auth.invalid/app:1}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: {{{viaAccount}}}, namespace: {{{Ns}}}}
            spec:
              nodeName: {{{HollowNodeFixture.Prefix}}}2
              serviceAccountName: {{{account}}}
              tolerations: [{key: dedicated, operator: Exists}]
              containers: [{name: app, image: alice.auth.invalid/app:2}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: {{{without}}}, namespace: {{{Ns}}}}
            spec:
              nodeName: {{{HollowNodeFixture.Prefix}}}1
              tolerations: [{key: dedicated, operator: Exists}]
              containers: [{name: app, image: alice.auth.invalid/app:3}]
            """, "apply", "-f", "-");
        Assert.True(apply.ExitCode == 0, apply.ToString());

        // The pod's own secret, and the service account's copied in by admission, both reach the pull.
        await WaitFor(() => _client.CoreV1.ReadNamespacedPodAsync(withSecret, Ns), p => p.Status?.Phase == "Running", "Running with the pod's pull secret");
        var copied = await WaitFor(() => _client.CoreV1.ReadNamespacedPodAsync(viaAccount, Ns), p => p.Status?.Phase == "Running", "Running with the service account's pull secret");
        Assert.Equal(secret, Assert.Single(copied.Spec.ImagePullSecrets).Name);
        // Without credentials the pull fails. The reason alternates between ErrImagePull (for about a second after each
        // attempt) and ImagePullBackOff, so a poll may see either; each has its own message.
        var refused = await WaitFor(() => _client.CoreV1.ReadNamespacedPodAsync(without, Ns), p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason is "ErrImagePull" or "ImagePullBackOff", "ErrImagePull or ImagePullBackOff without credentials");
        var waiting = refused.Status.ContainerStatuses[0].State.Waiting;
        if (waiting.Reason == "ErrImagePull")
        {
            Assert.EndsWith("/v2/app/manifests/3: 401 Unauthorized", waiting.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("Back-off pulling image \"alice.auth.invalid/app:3\"", waiting.Message);
        }

        Assert.NotEqual("Running", refused.Status.Phase);

        var delete = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "delete", "pod", withSecret, viaAccount, without, "-n", Ns, "--timeout=60s");
        Assert.True(delete.ExitCode == 0, delete.ToString());
    }

    [Fact]
    public async Task PodsOfSeveralHollowNodes_ReadASharedConfigMap_FromOneWatch_WithoutGets()
    {
        var config = Unique("env");
        var create = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "create", "configmap", config, "-n", Ns, "--from-literal=MODE=hollow");
        Assert.True(create.ExitCode == 0, create.ToString());
        var before = await ApiRequestCounts.OfAsync(fixture.Server.Kubeconfig, "GET", "configmaps");
        var names = Enumerable.Range(0, 3).Select(_ => Unique("envfrom")).ToList();
        var manifests = string.Join("---\n", names.Select((name, i) => $$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: {{{name}}}, namespace: {{{Ns}}}}
            spec:
              nodeName: {{{HollowNodeFixture.Prefix}}}{{{i}}}
              tolerations: [{key: dedicated, operator: Exists}]
              containers: [{name: app, image: nginx:1.27, envFrom: [{configMapRef: {name: {{{config}}}}}]}]

            """));
        var apply = await Kubectl.RunWithInputAsync(fixture.Server.Kubeconfig, manifests, "apply", "-f", "-");
        Assert.True(apply.ExitCode == 0, apply.ToString());

        foreach (var name in names)
        {
            await WaitFor(() => _client.CoreV1.ReadNamespacedPodAsync(name, Ns), p => p.Status?.Phase == "Running", name + " Running");
        }

        // Each container's envFrom was read from the process's one watch of the config map: no GET (one each before).
        Assert.Equal(before, await ApiRequestCounts.OfAsync(fixture.Server.Kubeconfig, "GET", "configmaps"));
        var delete = await Kubectl.RunAsync(fixture.Server.Kubeconfig, ["delete", "pod", .. names, "-n", Ns, "--timeout=60s"]);
        Assert.True(delete.ExitCode == 0, delete.ToString());
    }

    private static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    [Fact]
    public async Task NodesThatDoNotRunPods_StayReady_AndLeaveTheirBoundPodsPending()
    {
        // As scheduler_perf's nodes: registered, Ready, Leases renewed, and no kubelet for the pods bound to them.
        var idle = await CetusHollowProcess.StartAsync(fixture.Server.Kubeconfig, ["--nodes", "1", "--name-prefix", "idle-e2e-", "--run-pods", "false"]);
        try
        {
            Assert.Contains("not running their pods", idle.Log, StringComparison.Ordinal);
            await WaitFor(() => _client.CoreV1.ReadNodeAsync("idle-e2e-0"), n => n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true, "the idle node Ready");
            var (waiting, running) = (Unique("waits"), Unique("runs"));
            await _client.CoreV1.CreateNamespacedPodAsync(BoundPod(waiting, "idle-e2e-0"), Ns);
            await _client.CoreV1.CreateNamespacedPodAsync(BoundPod(running, HollowNodeFixture.Prefix + "2"), Ns);

            // The pod bound at the same time to a node that runs pods gets there; the other is left as it was bound.
            await WaitFor(() => _client.CoreV1.ReadNamespacedPodAsync(running, Ns), p => p.Status?.Phase == "Running", "the other pod Running");
            var pod = await _client.CoreV1.ReadNamespacedPodAsync(waiting, Ns);
            Assert.Equal("Pending", pod.Status.Phase);
            Assert.Null(pod.Status.ContainerStatuses);
            Assert.Null(pod.Status.HostIP);

            // Nothing finishes a graceful deletion there: grace period 0 removes the pod at once, as for a lost node.
            await _client.CoreV1.DeleteNamespacedPodAsync(waiting, Ns, gracePeriodSeconds: 0);
            await _client.CoreV1.DeleteNamespacedPodAsync(running, Ns, gracePeriodSeconds: 0);
            Assert.Empty((await _client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: "metadata.name=" + waiting)).Items);
        }
        finally
        {
            await idle.DisposeAsync();
            await _client.CoreV1.DeleteNodeAsync("idle-e2e-0");
        }
    }

    private static V1Pod BoundPod(string name, string node) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = node,
            Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Exists" }],
            Containers = [new V1Container { Name = "app", Image = "busybox:1.35" }],
        },
    };

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";

    private Task<V1Lease> Lease(string node) => _client.CoordinationV1.ReadNamespacedLeaseAsync(node, "kube-node-lease");

    private static async Task<T> WaitFor<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? Patience);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(100);
        }
    }
}
