using System.Text.RegularExpressions;
using Cetus.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.E2E.Tests.Scheduler;

/// <summary>
/// The scheduler of a real <c>cetus server</c> (in process, as system:kube-scheduler), with Node objects created
/// through the API (no kubelet: the nodes only carry capacity, labels, taints and a Ready condition). Each test has its
/// own server, because "0/N nodes are available" counts every node of the cluster.
/// </summary>
public sealed class SchedulerScenarios : IAsyncLifetime
{
    private const string Ns = "default";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private CetusServerProcess _server = null!;
    private Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await CetusServerProcess.StartAsync();
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_server.Kubeconfig));
        await WaitForDefaultServiceAccountAsync(_client, Ns);
    }

    /// <summary>
    /// Waits until the service-account controller made the namespace's "default" account: before that, admission
    /// refuses pods (403 "serviceaccount "default" not found"), as upstream's does.
    /// </summary>
    internal static Task WaitForDefaultServiceAccountAsync(Kubernetes client, string ns) =>
        Wait.ForAsync(() => client.CoreV1.ListNamespacedServiceAccountAsync(ns), l => l.Items.Any(a => a.Metadata.Name == "default"), $"the default service account of {ns}", TimeSpan.FromSeconds(60));

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task TaintsAndTolerations_OnlyTolerantPodsLandOnTaintedNodes()
    {
        await CreateNodeAsync("gpu", labels: new() { ["accelerator"] = "gpu" }, taints: [new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }]);
        await CreateNodeAsync("plain");

        var plain = await CreatePodAsync("plain-pod");
        var tolerant = await CreatePodAsync("tolerant", pod =>
        {
            pod.Spec.NodeSelector = new Dictionary<string, string> { ["accelerator"] = "gpu" };
            pod.Spec.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "gpu", Effect = "NoSchedule" }];
        });
        var intolerant = await CreatePodAsync("intolerant", pod => pod.Spec.NodeSelector = new Dictionary<string, string> { ["accelerator"] = "gpu" });

        Assert.Equal("plain", (await WaitForBoundAsync(plain)).Spec.NodeName);
        Assert.Equal("gpu", (await WaitForBoundAsync(tolerant)).Spec.NodeName);
        var condition = await WaitForUnschedulableAsync(intolerant);
        Assert.Equal("0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.", condition.Message);

        var bound = await _client.CoreV1.ReadNamespacedPodAsync(tolerant, Ns);
        var scheduled = bound.Status.Conditions.Single(c => c.Type == "PodScheduled");
        Assert.Equal("True", scheduled.Status);
    }

    [Fact]
    public async Task NodeAffinity_RequiredTermsFilterAndPreferredTermsWin()
    {
        foreach (var zone in new[] { "a", "b", "c" })
        {
            await CreateNodeAsync("node-" + zone, labels: new() { ["topology.kubernetes.io/zone"] = zone, ["tier"] = zone == "c" ? "10" : "1" });
        }

        var required = await CreatePodAsync("required", pod => pod.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms =
                    [
                        new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "topology.kubernetes.io/zone", OperatorProperty = "NotIn", Values = ["a"] }, new V1NodeSelectorRequirement { Key = "tier", OperatorProperty = "Gt", Values = ["5"] }] },
                    ],
                },
            },
        });
        var preferred = await CreatePodAsync("preferred", pod => pod.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1PreferredSchedulingTerm { Weight = 100, Preference = new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "topology.kubernetes.io/zone", OperatorProperty = "In", Values = ["b"] }] } },
                ],
            },
        });
        var impossible = await CreatePodAsync("impossible", pod => pod.Spec.NodeSelector = new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = "d" });

        Assert.Equal("node-c", (await WaitForBoundAsync(required)).Spec.NodeName);
        Assert.Equal("node-b", (await WaitForBoundAsync(preferred)).Spec.NodeName);
        Assert.Equal("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.", (await WaitForUnschedulableAsync(impossible)).Message);
    }

    [Fact]
    public async Task ResourceExhaustion_IsUnschedulableWithTheReason_ThenScheduledWhenANodeIsAdded()
    {
        await CreateNodeAsync("small-1", cpu: "1");
        await CreateNodeAsync("small-2", cpu: "1");
        var pod = await CreatePodAsync("big", p => p.Spec.Containers[0].Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2") } });

        var condition = await WaitForUnschedulableAsync(pod);
        Assert.Equal("0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.", condition.Message);
        await WaitForDescribeAsync(pod, @"Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0/2 nodes are available: 2 Insufficient cpu\.");

        await CreateNodeAsync("big-node", cpu: "4");

        Assert.Equal("big-node", (await WaitForBoundAsync(pod)).Spec.NodeName);
        await WaitForDescribeAsync(pod, $@"Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned {Ns}/{pod} to big-node");
    }

    [Fact]
    public async Task Deployment_OfOneHundredReplicas_IsSpreadEvenlyOverTenNodes_ByComponentsSharingOnePodWatch()
    {
        for (var i = 0; i < 10; i++)
        {
            await CreateNodeAsync($"node-{i}", cpu: "4", memory: "8Gi");
        }

        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "spread", NamespaceProperty = Ns },
            Spec = new V1DeploymentSpec
            {
                Replicas = 100,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "spread" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "spread" } },
                    Spec = new V1PodSpec
                    {
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "app",
                                Image = "nginx",
                                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("128Mi") } },
                            },
                        ],
                    },
                },
            },
        };
        await _client.AppsV1.CreateNamespacedDeploymentAsync(deployment, Ns);

        var pods = await WaitForAsync(
            async () => (await _client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=spread")).Items,
            items => items.Count == 100 && items.All(p => !string.IsNullOrEmpty(p.Spec.NodeName)),
            "100 bound pods");

        // LeastAllocated always prefers the node with the fewest of these equal pods (assumed pods count at once),
        // so the spread is exact: ten per node.
        var perNode = pods.GroupBy(p => p.Spec.NodeName).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(10, perNode.Count);
        Assert.All(perNode, kv => Assert.Equal(10, kv.Value));

        // The controller manager (which made the pods) and the scheduler (which bound them) run in the server's
        // process and share one list+watch of pods; the garbage collector keeps its own metadata watch. Apart, the
        // two would hold three.
        var metrics = await _client.HttpClient.GetStringAsync(new Uri(_client.BaseUri, "metrics"));
        var podWatches = metrics.Split('\n')
            .Where(l => l.StartsWith("apiserver_longrunning_requests{", StringComparison.Ordinal) && l.Contains("verb=\"WATCH\"", StringComparison.Ordinal) && l.Contains("resource=\"pods\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, podWatches);
    }

    [Fact]
    public async Task TopologySpread_PlacesPodsEvenlyAcrossZones()
    {
        foreach (var zone in new[] { "a", "b", "c" })
        {
            // Zone a has three nodes: without the constraint, LeastAllocated would favor it.
            for (var i = 0; i < (zone == "a" ? 3 : 1); i++)
            {
                await CreateNodeAsync($"node-{zone}{i}", labels: new() { ["topology.kubernetes.io/zone"] = zone });
            }
        }

        var names = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            names.Add(await CreatePodAsync($"spread-{i}", pod =>
            {
                pod.Metadata.Labels = new Dictionary<string, string> { ["app"] = "spread" };
                pod.Spec.TopologySpreadConstraints =
                [
                    new V1TopologySpreadConstraint
                    {
                        MaxSkew = 1,
                        TopologyKey = "topology.kubernetes.io/zone",
                        WhenUnsatisfiable = "DoNotSchedule",
                        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "spread" } },
                    },
                ];
            }));
        }

        var zones = new List<string>();
        foreach (var name in names)
        {
            var node = (await WaitForBoundAsync(name)).Spec.NodeName;
            zones.Add(node[5..6]);
        }

        Assert.Equal(["a", "a", "b", "b", "c", "c"], zones.Order());
    }

    [Fact]
    public async Task AntiAffinity_OnePodPerHost_TheThirdStaysUnschedulable()
    {
        await CreateNodeAsync("host-1", labels: new() { ["kubernetes.io/hostname"] = "host-1" });
        await CreateNodeAsync("host-2", labels: new() { ["kubernetes.io/hostname"] = "host-2" });
        void OnePerHost(V1Pod pod)
        {
            pod.Metadata.Labels = new Dictionary<string, string> { ["app"] = "solo" };
            pod.Spec.Affinity = new V1Affinity
            {
                PodAntiAffinity = new V1PodAntiAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1PodAffinityTerm { TopologyKey = "kubernetes.io/hostname", LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "solo" } } },
                    ],
                },
            };
        }

        var first = await CreatePodAsync("solo-1", OnePerHost);
        var second = await CreatePodAsync("solo-2", OnePerHost);
        var hosts = new[] { (await WaitForBoundAsync(first)).Spec.NodeName, (await WaitForBoundAsync(second)).Spec.NodeName };
        Assert.Equal(["host-1", "host-2"], hosts.Order());

        var third = await CreatePodAsync("solo-3", OnePerHost);
        Assert.Equal("0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.", (await WaitForUnschedulableAsync(third)).Message);

        // Deleting one of the first two frees its host for the third.
        await _client.CoreV1.DeleteNamespacedPodAsync(first, Ns, gracePeriodSeconds: 0);
        Assert.Contains((await WaitForBoundAsync(third)).Spec.NodeName, hosts);
    }

    [Fact]
    public async Task Preemption_HighPriorityPodEvictsTheLowOne_IsNominatedAndBound()
    {
        await CreateNodeAsync("full", cpu: "2");
        await CreateClassAsync("low", 10, "PreemptLowerPriority");
        await CreateClassAsync("high", 1000, "PreemptLowerPriority");
        var low = await CreatePodAsync("low-pod", p => RequestCpu(p, "2", "low"));
        Assert.Equal("full", (await WaitForBoundAsync(low)).Spec.NodeName);

        var high = await CreatePodAsync("high-pod", p => RequestCpu(p, "2", "high"));

        var nominated = await WaitForAsync(() => _client.CoreV1.ReadNamespacedPodAsync(high, Ns), p => p.Status?.NominatedNodeName == "full", $"pod {high} nominated to full");
        Assert.Equal(1000, nominated.Spec.Priority);
        Assert.True(string.IsNullOrEmpty(nominated.Spec.NodeName));

        // The scheduler deleted the victim gracefully; no kubelet runs here, so finish its deletion as one would.
        var victim = await WaitForAsync(
            async () => (await _client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: $"metadata.name={low}")).Items.SingleOrDefault(),
            p => p is null || p.Metadata.DeletionTimestamp is not null,
            $"pod {low} deleted");
        if (victim is not null)
        {
            await _client.CoreV1.DeleteNamespacedPodAsync(low, Ns, new V1DeleteOptions { GracePeriodSeconds = 0 });
        }

        var bound = await WaitForBoundAsync(high);
        Assert.Equal("full", bound.Spec.NodeName);
        Assert.Equal("full", bound.Status.NominatedNodeName);
    }

    [Fact]
    public async Task Preemption_SparesThePodAPdbProtects_AndPreemptsTheUnprotectedOne()
    {
        await CreateNodeAsync("guarded-node", cpu: "2");
        await CreateNodeAsync("open-node", cpu: "2");
        await CreateClassAsync("lowest", 10, "PreemptLowerPriority");
        await CreateClassAsync("low", 20, "PreemptLowerPriority");
        await CreateClassAsync("high", 1000, "PreemptLowerPriority");
        // Without budgets the lowest-priority victim's node would be chosen; the PDB (minAvailable 1 of its one pod:
        // no disruption allowed) makes that node the worse choice.
        var guarded = await CreatePodAsync("guarded", p => { RequestCpu(p, "2", "lowest"); p.Spec.NodeName = "guarded-node"; p.Metadata.Labels = new Dictionary<string, string> { ["app"] = "guarded" }; });
        var open = await CreatePodAsync("open", p => { RequestCpu(p, "2", "low"); p.Spec.NodeName = "open-node"; });
        await _client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "guarded" },
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "guarded" } } },
        }, Ns);
        await WaitForAsync(() => _client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("guarded", Ns), p => p.Status?.ExpectedPods == 1 && p.Status.ObservedGeneration == 1, "the PDB's status");

        var high = await CreatePodAsync("high-pod", p => RequestCpu(p, "2", "high"));

        await WaitForAsync(() => _client.CoreV1.ReadNamespacedPodAsync(high, Ns), p => p.Status?.NominatedNodeName == "open-node", $"pod {high} nominated to open-node");
        var victim = await WaitForAsync(
            async () => (await _client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: $"metadata.name={open}")).Items.SingleOrDefault(),
            p => p is null || p.Metadata.DeletionTimestamp is not null,
            $"pod {open} deleted");
        if (victim is not null)
        {
            // No kubelet here: finish the graceful deletion as one would.
            await _client.CoreV1.DeleteNamespacedPodAsync(open, Ns, new V1DeleteOptions { GracePeriodSeconds = 0 });
        }

        Assert.Equal("open-node", (await WaitForBoundAsync(high)).Spec.NodeName);
        Assert.Null((await _client.CoreV1.ReadNamespacedPodAsync(guarded, Ns)).Metadata.DeletionTimestamp);
    }

    [Fact]
    public async Task Preemption_PolicyNever_StaysPendingWithTheReason()
    {
        await CreateNodeAsync("full", cpu: "2");
        await CreateClassAsync("low", 10, "PreemptLowerPriority");
        await CreateClassAsync("high-never", 1000, "Never");
        var low = await CreatePodAsync("low-pod", p => RequestCpu(p, "2", "low"));
        Assert.Equal("full", (await WaitForBoundAsync(low)).Spec.NodeName);

        var polite = await CreatePodAsync("polite", p => RequestCpu(p, "2", "high-never"));

        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.", (await WaitForUnschedulableAsync(polite)).Message);
        var survivor = await _client.CoreV1.ReadNamespacedPodAsync(low, Ns);
        Assert.Null(survivor.Metadata.DeletionTimestamp);
        Assert.Null((await _client.CoreV1.ReadNamespacedPodAsync(polite, Ns)).Status.NominatedNodeName);
    }

    [Fact]
    public async Task ExplainPod_ShowsEachRejectedNodeWhyAndEveryPluginsScore_ThroughTheApiServer()
    {
        await CreateNodeAsync("small", cpu: "1");
        await CreateNodeAsync("gpu", cpu: "8", taints: [new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }]);
        await CreateNodeAsync("roomy", cpu: "8");
        await CreateNodeAsync("medium", cpu: "4");

        var placed = await CreatePodAsync("placed", pod => RequestCpu(pod, "2"));
        var bound = await WaitForBoundAsync(placed);
        var stuck = await CreatePodAsync("stuck", pod => RequestCpu(pod, "16"));
        await WaitForUnschedulableAsync(stuck);

        var explained = await Authorization.NodeBootstrapFixture.CetusAsync("explain", "pod", placed, "-n", Ns, "--kubeconfig", _server.Kubeconfig);
        Assert.True(explained.ExitCode == 0, explained.ToString());
        var text = explained.Stdout;
        Assert.Contains($"Pod {Ns}/{placed} (uid {bound.Metadata.Uid}): last attempt at ", text, StringComparison.Ordinal);
        Assert.Contains($"Result: scheduled on {bound.Spec.NodeName}", text, StringComparison.Ordinal);
        Assert.Contains("Nodes: 4 in the cluster, 4 evaluated, 2 feasible", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  gpu +TaintToleration +node\(s\) had untolerated taint \{dedicated: gpu\} \(preemption cannot help\)$", text);
        Assert.Matches(@"(?m)^  small +NodeResourcesFit +Insufficient cpu", text);
        // LeastAllocated prefers the roomier node, and it was chosen; each plugin line is score × weight = product.
        Assert.Equal("roomy", bound.Spec.NodeName);
        Assert.Matches(@"(?m)^  roomy \(chosen\): total \d+$", text);
        Assert.Matches(@"(?m)^    NodeResourcesFit +\d+ × 1 = \d+$", text);
        Assert.Matches(@"(?m)^    TaintToleration +\d+ × 3 = \d+$", text);
        Assert.True(text.IndexOf("roomy (chosen)", StringComparison.Ordinal) < text.IndexOf("  medium: total", StringComparison.Ordinal), text);

        var unschedulable = await Authorization.NodeBootstrapFixture.CetusAsync("explain", "pod", stuck, "--kubeconfig", _server.Kubeconfig, "-o", "json");
        Assert.True(unschedulable.ExitCode == 0, unschedulable.ToString());
        using (var json = System.Text.Json.JsonDocument.Parse(unschedulable.Stdout))
        {
            var root = json.RootElement;
            Assert.Equal(("SchedulingDecision", "Unschedulable"), (root.GetProperty("kind").GetString(), root.GetProperty("result").GetString()));
            Assert.StartsWith("0/4 nodes are available: ", root.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal(4, root.GetProperty("filtered").GetArrayLength());
        }

        // The same record through the real kubectl; a pod the scheduler never saw is a 404 Status, said plainly.
        var raw = await Kubectl.RunAsync(_server.Kubeconfig, "get", "--raw", $"/debug/scheduler/pods/{Ns}/{placed}");
        Assert.True(raw.ExitCode == 0, raw.ToString());
        Assert.Contains("\"result\":\"Scheduled\"", raw.Stdout, StringComparison.Ordinal);
        var missing = await Authorization.NodeBootstrapFixture.CetusAsync("explain", "pod", "nobody", "--kubeconfig", _server.Kubeconfig);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no scheduling decision is kept for pod default/nobody", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("(404)", missing.Stderr, StringComparison.Ordinal);
    }

    private static void RequestCpu(V1Pod pod, string cpu, string? priorityClass = null)
    {
        pod.Spec.Containers[0].Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } };
        pod.Spec.PriorityClassName = priorityClass;
    }

    private Task CreateClassAsync(string name, int value, string policy) =>
        _client.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = name }, Value = value, PreemptionPolicy = policy });

    private async Task CreateNodeAsync(string name, string cpu = "2", string memory = "4Gi", Dictionary<string, string>? labels = null, IList<V1Taint>? taints = null)
    {
        var resources = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new("110") };
        var node = await _client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? [] },
            Spec = new V1NodeSpec { Taints = taints },
        });

        // Status is a subresource: the kubelet would report capacity and conditions through nodes/status.
        node.Status = new V1NodeStatus
        {
            Capacity = resources,
            Allocatable = resources,
            Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", LastHeartbeatTime = DateTime.UtcNow, LastTransitionTime = DateTime.UtcNow }],
        };
        await _client.CoreV1.ReplaceNodeStatusAsync(node, name);
    }

    private async Task<string> CreatePodAsync(string name, Action<V1Pod>? change = null)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx" }] },
        };
        change?.Invoke(pod);
        await _client.CoreV1.CreateNamespacedPodAsync(pod, Ns);
        return name;
    }

    private Task<V1Pod> WaitForBoundAsync(string name) =>
        WaitForAsync(() => _client.CoreV1.ReadNamespacedPodAsync(name, Ns), p => !string.IsNullOrEmpty(p.Spec.NodeName), $"pod {name} bound");

    private async Task<V1PodCondition> WaitForUnschedulableAsync(string name)
    {
        var pod = await WaitForAsync(
            () => _client.CoreV1.ReadNamespacedPodAsync(name, Ns),
            p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true,
            $"pod {name} PodScheduled=False");
        Assert.True(string.IsNullOrEmpty(pod.Spec.NodeName));
        var condition = pod.Status.Conditions.Single(c => c.Type == "PodScheduled");
        Assert.Equal("Unschedulable", condition.Reason);
        return condition;
    }

    private async Task WaitForDescribeAsync(string pod, string pattern)
    {
        Kubectl.Result? last = null;
        await WaitForAsync(
            async () => last = await Kubectl.RunAsync(_server.Kubeconfig, "describe", "pod", pod, "-n", Ns),
            r => r.ExitCode == 0 && Regex.IsMatch(r.Stdout, pattern),
            $"kubectl describe pod {pod} to show /{pattern}/ (last: {last})");
    }

    private async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}; the server's log:\n{_server.Log}");
            }

            await Task.Delay(100);
        }
    }
}
