using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Plugins.PodTopologySpread;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Plugins;

public sealed class PodTopologySpreadTests
{
    private const string Zone = "topology.kubernetes.io/zone";
    private readonly PodTopologySpread _plugin = new();

    [Theory]
    [InlineData(1, null, "a", "Unschedulable: node(s) didn't match pod topology spread constraints")]
    [InlineData(1, null, "b", "Unschedulable: node(s) didn't match pod topology spread constraints")]
    [InlineData(1, null, "c", null)]
    [InlineData(2, null, "b", null)]
    [InlineData(3, null, "a", null)]
    [InlineData(1, null, "none", "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)")]
    public void Filter_SkewAgainstTheLeastLoadedZone(int maxSkew, int? minDomains, string zone, string? expected)
    {
        var nodes = ZonesWithPods(("a", 2), ("b", 1), ("c", 0));
        nodes.Add(Build.Info(Build.Node("none")));
        var pod = Spreading("p", maxSkew, Zone, "DoNotSchedule", minDomains);
        var state = new CycleState();

        Assert.Null(_plugin.PreFilter(state, pod, nodes).Status);
        var status = _plugin.Filter(state, pod, nodes.Single(n => n.Name == zone));

        Assert.Equal(expected, status?.ToString());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(3, "Unschedulable: node(s) didn't match pod topology spread constraints")]
    public void Filter_MinDomains_CountsTheGlobalMinimumAsZeroWhileDomainsAreMissing(int? minDomains, string? expected)
    {
        var nodes = ZonesWithPods(("a", 1), ("b", 1));
        var pod = Spreading("p", 1, Zone, "DoNotSchedule", minDomains);
        var state = new CycleState();

        _plugin.PreFilter(state, pod, nodes);

        Assert.Equal(expected, _plugin.Filter(state, pod, nodes[0])?.ToString());
    }

    [Fact]
    public void Filter_IgnoresPodsOfOtherNamespacesAndNonMatchingLabels()
    {
        var a = Build.Info(Build.Node("a", labels: new() { [Zone] = "a" }), Labeled("x", "other", ns: "elsewhere"), Labeled("y", "other-app"));
        var b = Build.Info(Build.Node("b", labels: new() { [Zone] = "b" }));
        var pod = Spreading("p", 1, Zone, "DoNotSchedule", null);
        var state = new CycleState();

        _plugin.PreFilter(state, pod, [a, b]);

        Assert.Null(_plugin.Filter(state, pod, a));
    }

    [Fact]
    public void Score_FewerMatchingPodsOnTheHostIsBetter()
    {
        var nodes = new List<NodeInfo>
        {
            Build.Info(Host("n1"), Labeled("x1", "web"), Labeled("x2", "web")),
            Build.Info(Host("n2")),
            Build.Info(Host("n3"), Labeled("x3", "web")),
        };
        var pod = Spreading("p", 1, "kubernetes.io/hostname", "ScheduleAnyway", null);
        var state = new CycleState();
        state.Write(CycleState.AllNodesKey, nodes);

        Assert.Null(_plugin.PreScore(state, pod, nodes));
        var scores = nodes.Select(n => new NodeScore(n.Name, _plugin.Score(state, pod, n).Score)).ToArray();
        Assert.Equal([3L, 0L, 2L], scores.Select(s => s.Score));
        _plugin.NormalizeScore(state, pod, scores);

        Assert.Equal([0L, 100L, 33L], scores.Select(s => s.Score));
    }

    [Fact]
    public void Score_SystemDefaults_SpreadPodsOfAReplicaSetOverHostsEvenWithoutZones()
    {
        var selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } };
        var plugin = new PodTopologySpread(pod => pod.Metadata.Labels.TryGetValue("app", out var app) && app == "web" ? selector : null);
        var nodes = new List<NodeInfo> { Build.Info(Host("n1"), Labeled("x1", "web"), Labeled("x2", "web")), Build.Info(Host("n2")) };
        var state = new CycleState();
        state.Write(CycleState.AllNodesKey, nodes);
        var pod = Labeled("p", "web");

        Assert.Null(plugin.PreScore(state, pod, nodes));
        var scores = nodes.Select(n => new NodeScore(n.Name, plugin.Score(state, pod, n).Score)).ToArray();

        // Hostname: 2 pods × log(2 nodes + 2) + (maxSkew 3 − 1) = 4.77 → 5 against 2; no zone labels, so no zone term.
        Assert.Equal([5L, 2L], scores.Select(s => s.Score));
        plugin.NormalizeScore(state, pod, scores);
        Assert.Equal([40L, 100L], scores.Select(s => s.Score));
        Assert.Equal(Code.Skip, plugin.PreScore(new CycleState(), Labeled("q", "batch"), nodes)?.Code);
    }

    [Fact]
    public void PreFilterAndPreScore_SkipPodsWithoutConstraints()
    {
        Assert.Equal(Code.Skip, _plugin.PreFilter(new CycleState(), Build.Pod("p"), []).Status?.Code);
        Assert.Equal(Code.Skip, _plugin.PreScore(new CycleState(), Build.Pod("p"), [])?.Code);
    }

    [Fact]
    public void MatchLabelKeys_NarrowTheSelectorToThePodsValues()
    {
        var pod = Spreading("p", 1, Zone, "DoNotSchedule", null);
        pod.Metadata.Labels["pod-template-hash"] = "v2";
        pod.Spec.TopologySpreadConstraints[0].MatchLabelKeys = ["pod-template-hash"];

        var constraint = Assert.Single(PodTopologySpread.Constraints(pod, "DoNotSchedule"));

        var requirement = Assert.Single(constraint.Selector.MatchExpressions);
        Assert.Equal(("pod-template-hash", "In", "v2"), (requirement.Key, requirement.OperatorProperty, requirement.Values.Single()));
    }

    private static V1Node Host(string name) => Build.Node(name, labels: new() { ["kubernetes.io/hostname"] = name });

    private static List<NodeInfo> ZonesWithPods(params (string Zone, int Pods)[] zones) =>
        [.. zones.Select(z => Build.Info(Build.Node(z.Zone, labels: new() { [Zone] = z.Zone }), [.. Enumerable.Range(0, z.Pods).Select(i => Labeled($"{z.Zone}-{i}", "web"))]))];

    private static V1Pod Labeled(string name, string app, string ns = "default")
    {
        var pod = Build.Pod(name, ns: ns);
        pod.Metadata.Labels["app"] = app;
        return pod;
    }

    private static V1Pod Spreading(string name, int maxSkew, string key, string when, int? minDomains)
    {
        var pod = Labeled(name, "web");
        pod.Spec.TopologySpreadConstraints =
        [
            new V1TopologySpreadConstraint
            {
                MaxSkew = maxSkew,
                TopologyKey = key,
                WhenUnsatisfiable = when,
                MinDomains = minDomains,
                LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            },
        ];
        return pod;
    }
}
