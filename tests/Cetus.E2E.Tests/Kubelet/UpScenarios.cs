using Cetus.Cri.Fake;
using Cetus.Cri.V1;
using Cetus.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.E2E.Tests.Kubelet;

/// <summary>
/// A real <c>cetus up</c> (control plane + local node in one process) whose kubelet uses a fake runtime served over
/// CRI on a unix socket by the test process: no containerd, but the real binary, the real CRI client and kubectl.
/// </summary>
public sealed class UpFixture : IAsyncLifetime
{
    public const string NodeName = "e2e-up-node";

    public FakeCriServer Cri { get; private set; } = null!;

    public CetusServerProcess Up { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cri = await FakeCriServer.StartAsync(new FakeRuntime(new FakeRuntimeOptions { PodIPPrefix = "10.42.0.", RuntimeVersion = "1.7.0-fake" }));
        Up = await CetusServerProcess.StartUpAsync(Cri.Endpoint, NodeName);
    }

    public async Task DisposeAsync()
    {
        await Up.DisposeAsync();
        await Cri.DisposeAsync();
    }
}

/// <summary>
/// <c>cetus up</c> end to end: the node registers as itself with the machine's facts and turns Ready; a pod created
/// with kubectl is scheduled onto it, runs with a pod IP, is restarted when its container exits (noticed by the
/// PLEG), and leaves the runtime when deleted.
/// </summary>
public sealed class UpScenarios(UpFixture fixture) : IClassFixture<UpFixture>, IDisposable
{
    private const string Ns = "default";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Kubernetes _client = new(KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Up.Kubeconfig));

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Up_RegistersTheLocalNode_WithTheMachinesFacts_AndItTurnsReady()
    {
        var node = (await Wait.ForAsync(() => Node(), n => IsReady(n), "the node Ready", Patience))!;
        Assert.Equal(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), node.Status.Capacity["cpu"].ToString());
        Assert.Equal("110", node.Status.Capacity["pods"].ToString());
        Assert.EndsWith("Ki", node.Status.Capacity["memory"].ToString(), StringComparison.Ordinal);
        Assert.True(node.Status.Capacity["ephemeral-storage"].ToDecimal() > 0);
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(), node.Status.NodeInfo.BootID);
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), node.Status.NodeInfo.KernelVersion);
        Assert.Equal("fake://1.7.0-fake", node.Status.NodeInfo.ContainerRuntimeVersion);
        Assert.Contains(node.Status.Addresses, a => a.Type == "InternalIP" && !string.IsNullOrEmpty(a.Address));
        Assert.Equal(["False", "False", "False"], node.Status.Conditions.Where(c => c.Type.EndsWith("Pressure", StringComparison.Ordinal)).Select(c => c.Status));
        // The Lease is taken right after registration, so it may come a moment after the node turns Ready.
        var lease = (await Wait.ForAsync(LeaseAsync, l => l is not null, "the node's Lease", Patience))!;
        Assert.Equal(UpFixture.NodeName, lease.Spec.HolderIdentity);

        // The kubelet acts as the node itself, so the node authorizer applies: it may not read another node's Lease.
        var kubeletConfig = Path.Combine(fixture.Up.DataDir, "agent", "kubelet.kubeconfig");
        var denied = await Kubectl.RunAsync(kubeletConfig, "get", "lease", "other-node", "-n", "kube-node-lease");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("system:node:" + UpFixture.NodeName, denied.Stderr, StringComparison.Ordinal);

        await Wait.ForAsync(() => Task.FromResult(fixture.Up.Log), l => l.Contains("get pods -A", StringComparison.Ordinal), "the kubectl hint", Patience);
        Assert.Matches($@"node {UpFixture.NodeName} Ready in \d+\.\d s", fixture.Up.Log);
        Assert.Contains($"kubectl --kubeconfig {fixture.Up.Kubeconfig} get pods -A", fixture.Up.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Up_RunsWithItsMemorySettings_InTheSameProcess_WithoutTieredCompilation()
    {
        // cetus up executes itself again with DOTNET_GCgen0size and MALLOC_ARENA_MAX set (read only at start); the
        // fixture started it without them, and holds the same process id.
        var pid = fixture.Up.ProcessId;
        Assert.NotEqual(0, pid);
        var environment = File.ReadAllText($"/proc/{pid}/environ").Split('\0');
        Assert.Contains("DOTNET_GCgen0size=0x300000", environment);
        Assert.Contains("MALLOC_ARENA_MAX=2", environment);
        // Tiered compilation is for the control-plane commands alone: `up` keeps the precompiled code as built.
        Assert.DoesNotContain(environment, v => v.StartsWith("DOTNET_TieredCompilation=", StringComparison.Ordinal));
        // So is the server GC: `up` keeps the workstation collector and its small young generation (memory).
        Assert.DoesNotContain(environment, v => v.StartsWith("DOTNET_gcServer=", StringComparison.Ordinal));
        Assert.Contains("up", File.ReadAllText($"/proc/{pid}/cmdline").Split('\0'));
    }

    [Fact]
    public async Task Pod_CreatedWithKubectl_RunsOnTheNode_RestartsWhenItsContainerExits_AndDeleteRemovesIt()
    {
        await Wait.ForAsync(() => Node(), n => IsReady(n), "the node Ready", Patience);
        var name = await ApplyPodAsync("web", "busybox:1.36");

        var pod = await Wait.ForAsync(() => _client.CoreV1.ReadNamespacedPodAsync(name, Ns), p => p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Status.PodIP), "the pod Running with an IP", Patience);
        Assert.Equal(UpFixture.NodeName, pod.Spec.NodeName);
        Assert.StartsWith("10.42.0.", pod.Status.PodIP, StringComparison.Ordinal);
        var get = await Kubectl.RunAsync(fixture.Up.Kubeconfig, "get", "pod", name, "-n", Ns, "-o", "wide");
        Assert.Matches($@"{name}\s+1/1\s+Running\s+0\s+", get.Stdout);

        // The container exits behind the kubelet's back: the PLEG notices and the pod worker restarts it.
        var uid = pod.Metadata.Uid;
        var container = (await fixture.Cri.Runtime.ListContainersAsync(new ContainerFilter { LabelSelector = { ["io.kubernetes.pod.uid"] = uid } }, CancellationToken.None)).Single();
        fixture.Cri.Runtime.ExitContainer(container.Id, 2);
        var restarted = await Wait.ForAsync(() => _client.CoreV1.ReadNamespacedPodAsync(name, Ns), p => p.Status?.ContainerStatuses?.SingleOrDefault()?.RestartCount == 1 && p.Status.ContainerStatuses[0].State?.Running is not null, "a restart", Patience);
        Assert.Equal(2, restarted.Status.ContainerStatuses[0].LastState?.Terminated?.ExitCode);

        var delete = await Kubectl.RunAsync(fixture.Up.Kubeconfig, "delete", "pod", name, "-n", Ns, "--timeout=60s");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        var sandboxes = await fixture.Cri.Runtime.ListPodSandboxAsync(new PodSandboxFilter { LabelSelector = { ["io.kubernetes.pod.uid"] = uid } }, CancellationToken.None);
        Assert.Empty(sandboxes);
        Assert.Empty((await _client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: "metadata.name=" + name)).Items);
    }

    [Fact]
    public async Task KubeletEvents_ShowInGetEvents_DescribePod_AndDescribeNode()
    {
        await Wait.ForAsync(() => Node(), n => IsReady(n), "the node Ready", Patience);
        var name = await ApplyPodAsync("ev", "registry.local/events:1");
        await Wait.ForAsync(() => _client.CoreV1.ReadNamespacedPodAsync(name, Ns), p => p.Status?.Phase == "Running", "the pod Running", Patience);

        // Written in the background by the kubelet's recorder (and the scheduler's): wait for the five.
        string[] wanted = ["Scheduled", "Pulling", "Pulled", "Created", "Started"];
        var lines = (await Wait.ForAsync(
            async () => (await Kubectl.RunAsync(fixture.Up.Kubeconfig, "get", "events", "-n", Ns, "--field-selector", "involvedObject.name=" + name, "-o", "jsonpath={range .items[*]}{.reason}|{.type}|{.source.component}|{.source.host}|{.involvedObject.fieldPath}|{.message}{\"\\n\"}{end}")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            listed => wanted.All(r => listed.Any(l => l.StartsWith(r + "|", StringComparison.Ordinal))),
            "the pod's events",
            Patience))!;
        var kubelet = $"kubelet|{UpFixture.NodeName}|spec.containers{{app}}";
        Assert.Contains($"Pulling|Normal|{kubelet}|Pulling image \"registry.local/events:1\"", lines);
        Assert.Contains(lines, l => l.StartsWith($"Pulled|Normal|{kubelet}|Successfully pulled image \"registry.local/events:1\" in ", StringComparison.Ordinal));
        Assert.Contains($"Created|Normal|{kubelet}|Created container: app", lines);
        Assert.Contains($"Started|Normal|{kubelet}|Started container app", lines);

        var described = await Kubectl.RunAsync(fixture.Up.Kubeconfig, "describe", "pod", name, "-n", Ns);
        Assert.Matches(@"Normal\s+Created\s+\S+\s+kubelet\s+Created container: app", described.Stdout);
        Assert.Matches(@"Normal\s+Started\s+\S+\s+kubelet\s+Started container app", described.Stdout);

        // Deletion: Killing, recorded before the pod goes.
        var delete = await Kubectl.RunAsync(fixture.Up.Kubeconfig, "delete", "pod", name, "-n", Ns, "--timeout=60s");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        await Wait.ForAsync(
            async () => (await Kubectl.RunAsync(fixture.Up.Kubeconfig, "get", "events", "-n", Ns, "--field-selector", "involvedObject.name=" + name, "-o", "jsonpath={range .items[*]}{.reason}|{.message}{\"\\n\"}{end}")).Stdout,
            m => m.Contains("Killing|Stopping container app\n", StringComparison.Ordinal),
            "the Killing event",
            Patience);

        var node = await Kubectl.RunAsync(fixture.Up.Kubeconfig, "describe", "node", UpFixture.NodeName);
        Assert.Matches(@"Normal\s+Starting\s+\S+\s+kubelet\s+Starting kubelet\.", node.Stdout);
        Assert.Matches($@"Normal\s+NodeHasSufficientMemory\s+\S+\s+kubelet\s+Node {UpFixture.NodeName} status is now: NodeHasSufficientMemory", node.Stdout);
    }

    [Fact]
    public async Task ImageThatCannotBePulled_AlternatesErrImagePullAndImagePullBackOff_AndKubectlDescribeShowsTheBackOff()
    {
        await Wait.ForAsync(() => Node(), n => IsReady(n), "the node Ready", Patience);
        // The fake runtime cannot pull from registries under .invalid (a name that never resolves).
        const string image = "registry.invalid/app:1";
        var name = await ApplyPodAsync("pull", image);
        var reasons = new List<string>();
        async Task<string?> ReasonAsync()
        {
            var reason = (await _client.CoreV1.ReadNamespacedPodAsync(name, Ns)).Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason;
            if (reason is not null && (reasons.Count == 0 || reasons[^1] != reason))
            {
                reasons.Add(reason);
            }

            return reason;
        }

        await Wait.ForAsync(ReasonAsync, r => r == "ImagePullBackOff", "ImagePullBackOff", Patience);
        var get = await Kubectl.RunAsync(fixture.Up.Kubeconfig, "get", "pod", name, "-n", Ns);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Matches($@"{name}\s+0/1\s+ImagePullBackOff\s+0\s+", get.Stdout);

        // The backoff (10 s) ends with no change to the pod: the kubelet pulls again by itself, fails, backs off (20 s).
        await Wait.ForAsync(ReasonAsync, _ => reasons.Count >= 3 && reasons[^1] == "ImagePullBackOff", "a second ErrImagePull, then ImagePullBackOff again", Patience);
        Assert.Equal(["ImagePullBackOff", "ErrImagePull", "ImagePullBackOff"], reasons.TakeLast(3));
        var pulling = await Wait.ForAsync(
            async () => (await _client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: "involvedObject.name=" + name)).Items.FirstOrDefault(e => e.Reason == "Pulling"),
            e => e?.Count >= 2,
            "two Pulling events",
            Patience);
        Assert.InRange((pulling!.LastTimestamp!.Value - pulling.FirstTimestamp!.Value).TotalSeconds, 9, 13);

        var described = await Wait.ForAsync(
            async () => (await Kubectl.RunAsync(fixture.Up.Kubeconfig, "describe", "pod", name, "-n", Ns)).Stdout,
            d => d.Contains("Error: ImagePullBackOff", StringComparison.Ordinal) && d.Contains("Back-off pulling image", StringComparison.Ordinal),
            "the BackOff events in describe",
            Patience);
        Assert.Matches(@"Reason:\s+(ImagePullBackOff|ErrImagePull)", described);
        Assert.Matches($@"Normal\s+BackOff\s+.*kubelet\s+Back-off pulling image ""{image}""", described);
        Assert.Matches(@"Warning\s+Failed\s+.*kubelet\s+Error: ImagePullBackOff", described);
        Assert.Matches($@"Warning\s+Failed\s+.*kubelet\s+Failed to pull image ""{image}"": rpc error: code = Unknown desc = failed to pull and unpack image", described);
        Assert.Matches(@"Warning\s+Failed\s+.*kubelet\s+Error: ErrImagePull", described);

        var delete = await Kubectl.RunAsync(fixture.Up.Kubeconfig, "delete", "pod", name, "-n", Ns, "--timeout=60s");
        Assert.True(delete.ExitCode == 0, delete.ToString());
    }

    [Fact]
    public async Task ConfigMapEdit_ReachesTheMountedFile_WithinSeconds_AndPodSyncsReadItFromTheWatch_NotWithGets()
    {
        await Wait.ForAsync(() => Node(), n => IsReady(n), "the node Ready", Patience);
        var name = $"cm-{Guid.NewGuid().ToString("N")[..6]}";
        var apply = await Kubectl.RunWithInputAsync(fixture.Up.Kubeconfig, $$$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: {{{name}}}, namespace: {{{Ns}}}}
            data: {index.html: v1}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: {{{name}}}, namespace: {{{Ns}}}}
            spec:
              containers:
              - name: app
                image: registry.local/web:1
                volumeMounts: [{name: content, mountPath: /usr/share/nginx/html}]
              volumes:
              - name: content
                configMap: {name: {{{name}}}}
            """, "apply", "-f", "-");
        Assert.True(apply.ExitCode == 0, apply.ToString());
        var pod = await Wait.ForAsync(() => _client.CoreV1.ReadNamespacedPodAsync(name, Ns), p => p.Status?.Phase == "Running", "the pod Running", Patience);
        var file = Path.Combine(fixture.Up.DataDir, "agent", "pods", pod.Metadata.Uid, "volumes", "kubernetes.io~configmap", "content", "index.html");
        await Wait.ForAsync(() => Task.FromResult(File.Exists(file) ? File.ReadAllText(file) : null), c => c == "v1", "the mounted file", Patience);

        // The edit reaches the file through the kubelet's watch of the config map, not its one-minute resync.
        var edited = System.Diagnostics.Stopwatch.StartNew();
        var patch = await Kubectl.RunAsync(fixture.Up.Kubeconfig, "patch", "configmap", name, "-n", Ns, "--type=merge", "-p", "{\"data\":{\"index.html\":\"v2\"}}");
        Assert.True(patch.ExitCode == 0, patch.ToString());
        await Wait.ForAsync(() => Task.FromResult(File.ReadAllText(file)), c => c == "v2", "the edit in the mounted file", TimeSpan.FromSeconds(5));
        Assert.InRange(edited.Elapsed.TotalSeconds, 0, 5);

        // Syncs of the pod (its container exits and is restarted: PLEG, sync, restart) read the config map from the
        // watch: the API server counts no GET of it.
        var before = await ConfigMapGetsAsync();
        var container = (await fixture.Cri.Runtime.ListContainersAsync(null, CancellationToken.None)).Single(c => c.Labels["io.kubernetes.pod.uid"] == pod.Metadata.Uid && c.State == Cetus.Cri.V1.ContainerState.ContainerRunning);
        fixture.Cri.Runtime.ExitContainer(container.Id, 1);
        await Wait.ForAsync(() => _client.CoreV1.ReadNamespacedPodAsync(name, Ns), p => p.Status?.ContainerStatuses?.SingleOrDefault()?.RestartCount == 1 && p.Status.ContainerStatuses[0].State.Running is not null, "the restarted container", Patience);
        Assert.Equal(before, await ConfigMapGetsAsync());

        var delete = await Kubectl.RunAsync(fixture.Up.Kubeconfig, "delete", "pod", name, "-n", Ns, "--timeout=60s");
        Assert.True(delete.ExitCode == 0, delete.ToString());
    }

    private Task<double> ConfigMapGetsAsync() => ApiRequestCounts.OfAsync(fixture.Up.Kubeconfig, "GET", "configmaps");

    // kubectl apply of a one-container pod (container "app") with a fresh name; returns the name.
    private async Task<string> ApplyPodAsync(string prefix, string image)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        var apply = await Kubectl.RunWithInputAsync(fixture.Up.Kubeconfig, $$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: {{{name}}}, namespace: {{{Ns}}}}
            spec:
              containers:
              - name: app
                image: {{{image}}}
            """, "apply", "-f", "-");
        Assert.True(apply.ExitCode == 0, apply.ToString());
        return name;
    }

    private static bool IsReady(V1Node? node) => node?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private async Task<V1Node?> Node()
    {
        try
        {
            return await _client.CoreV1.ReadNodeAsync(UpFixture.NodeName);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<V1Lease?> LeaseAsync()
    {
        try
        {
            return await _client.CoordinationV1.ReadNamespacedLeaseAsync(UpFixture.NodeName, "kube-node-lease");
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
