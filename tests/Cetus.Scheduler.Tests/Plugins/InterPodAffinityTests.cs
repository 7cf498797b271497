using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Plugins.InterPodAffinity;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Plugins;

public sealed class InterPodAffinityTests
{
    private const string Zone = "topology.kubernetes.io/zone";
    private const string Hostname = "kubernetes.io/hostname";

    [Fact]
    public void RequiredAffinity_NeedsAMatchingPodInTheNodesDomain()
    {
        var a1 = Node("a1", "a", App("db-0", "db"));
        var a2 = Node("a2", "a");
        var b1 = Node("b1", "b");
        var pod = App("web", "web");
        pod.Spec.Affinity = new V1Affinity { PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("db", Zone)] } };

        var statuses = Filter(pod, a1, a2, b1);

        Assert.Equal([null, null, "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules"], statuses);
    }

    [Fact]
    public void RequiredAffinity_ToItsOwnGroup_LetsTheFirstPodStartAnywhereWithTheKey()
    {
        var pod = App("web", "web");
        pod.Spec.Affinity = new V1Affinity { PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("web", Zone)] } };
        var unlabeled = Build.Info(Build.Node("bare"));

        var statuses = Filter(pod, Node("a1", "a"), unlabeled);

        Assert.Equal([null, "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules"], statuses);
    }

    [Fact]
    public void RequiredAntiAffinity_KeepsPodsOfAGroupOnDifferentHosts()
    {
        var pod = App("web-1", "web");
        pod.Spec.Affinity = new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("web", Hostname)] } };

        var statuses = Filter(pod, Node("n1", "a", App("web-0", "web")), Node("n2", "a"), Node("n3", "a", App("web-x", "web", ns: "other")));

        Assert.Equal(["Unschedulable: node(s) didn't match pod anti-affinity rules", null, null], statuses);
    }

    [Fact]
    public void RequiredAntiAffinity_WithAnEmptyNamespaceSelector_CoversEveryNamespace()
    {
        var pod = App("web-1", "web");
        var term = Term("web", Hostname);
        term.NamespaceSelector = new V1LabelSelector();
        pod.Spec.Affinity = new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [term] } };

        var statuses = Filter(pod, Node("n3", "a", App("web-x", "web", ns: "other")));

        Assert.Equal(["Unschedulable: node(s) didn't match pod anti-affinity rules"], statuses);
    }

    [Fact]
    public void ExistingPodsAntiAffinity_IsRespected()
    {
        var loner = App("loner", "loner");
        loner.Spec.Affinity = new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("web", Hostname)] } };

        var statuses = Filter(App("web", "web"), Node("n1", "a", loner), Node("n2", "a"));

        Assert.Equal(["Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules", null], statuses);
    }

    [Fact]
    public void Filter_SkipsPodsWithoutTermsWhenNoExistingPodHasAntiAffinity() =>
        Assert.Equal(Code.Skip, new InterPodAffinity().PreFilter(new CycleState(), App("p", "web"), [Node("n1", "a", App("q", "web"))]).Status?.Code);

    [Fact]
    public void Score_PreferredAffinityAddsAndPreferredAntiAffinitySubtractsPerDomain()
    {
        var plugin = new InterPodAffinity();
        var pod = App("web", "web");
        pod.Spec.Affinity = new V1Affinity
        {
            PodAffinity = new V1PodAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { Weight = 10, PodAffinityTerm = Term("cache", Zone) }] },
            PodAntiAffinity = new V1PodAntiAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { Weight = 5, PodAffinityTerm = Term("web", Hostname) }] },
        };
        NodeInfo[] nodes = [Node("a1", "a", App("cache", "cache")), Node("a2", "a", App("web-0", "web")), Node("b1", "b")];
        var state = new CycleState();
        state.Write(CycleState.AllNodesKey, nodes);

        Assert.Null(plugin.PreScore(state, pod, nodes));
        var scores = nodes.Select(n => new NodeScore(n.Name, plugin.Score(state, pod, n).Score)).ToArray();
        Assert.Equal([10L, 5L, 0L], scores.Select(s => s.Score));
        plugin.NormalizeScore(state, pod, scores);

        Assert.Equal([100L, 50L, 0L], scores.Select(s => s.Score));
    }

    [Fact]
    public void Score_ExistingPodsRequiredAffinityCountsWithWeightOne()
    {
        var plugin = new InterPodAffinity();
        var follower = App("follower", "follower");
        follower.Spec.Affinity = new V1Affinity { PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("leader", Zone)] } };
        NodeInfo[] nodes = [Node("a1", "a", follower), Node("b1", "b")];
        var state = new CycleState();
        state.Write(CycleState.AllNodesKey, nodes);
        var leader = App("leader", "leader");

        Assert.Null(plugin.PreScore(state, leader, nodes));

        Assert.Equal([1L, 0L], nodes.Select(n => plugin.Score(state, leader, n).Score));
    }

    private static List<string?> Filter(V1Pod pod, params NodeInfo[] nodes)
    {
        var plugin = new InterPodAffinity();
        var state = new CycleState();
        var (_, status) = plugin.PreFilter(state, pod, nodes);
        Assert.Null(status);
        return [.. nodes.Select(n => plugin.Filter(state, pod, n)?.ToString())];
    }

    private static NodeInfo Node(string name, string zone, params V1Pod[] pods) =>
        Build.Info(Build.Node(name, labels: new() { [Zone] = zone, [Hostname] = name }), pods);

    private static V1Pod App(string name, string app, string ns = "default")
    {
        var pod = Build.Pod(name, ns: ns);
        pod.Metadata.Labels["app"] = app;
        return pod;
    }

    private static V1PodAffinityTerm Term(string app, string key) => new()
    {
        TopologyKey = key,
        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
    };
}
