using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Plugins.NodeAffinity;
using Cetus.Scheduler.Plugins.NodeName;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Plugins;

public sealed class NodeAffinityTests
{
    [Theory]
    [InlineData("In", "a,b", "a", true)]
    [InlineData("In", "a,b", "c", false)]
    [InlineData("In", "a", null, false)]
    [InlineData("NotIn", "a,b", "c", true)]
    [InlineData("NotIn", "a,b", "a", false)]
    [InlineData("NotIn", "a", null, true)]
    [InlineData("Exists", "", "x", true)]
    [InlineData("Exists", "", null, false)]
    [InlineData("DoesNotExist", "", null, true)]
    [InlineData("DoesNotExist", "", "x", false)]
    [InlineData("Gt", "5", "6", true)]
    [InlineData("Gt", "5", "5", false)]
    [InlineData("Gt", "5", "abc", false)]
    [InlineData("Lt", "5", "4", true)]
    [InlineData("Lt", "5", "-10", true)]
    [InlineData("Lt", "5", "7", false)]
    [InlineData("Bogus", "5", "7", false)]
    public void Requirement_Operators(string op, string values, string? label, bool matches)
    {
        var requirement = new V1NodeSelectorRequirement { Key = "k", OperatorProperty = op, Values = values.Length == 0 ? null : values.Split(',') };

        Assert.Equal(matches, NodeSelectors.Matches(requirement, label));
    }

    [Fact]
    public void Filter_NodeSelectorAndRequiredTerms()
    {
        var plugin = new NodeAffinity();
        var gpu = Build.Info(Build.Node("gpu", labels: new() { ["accelerator"] = "gpu", ["zone"] = "a" }));
        var plain = Build.Info(Build.Node("plain", labels: new() { ["zone"] = "b" }));
        var bySelector = Build.Pod("p");
        bySelector.Spec.NodeSelector = new Dictionary<string, string> { ["accelerator"] = "gpu" };
        var byTerms = Build.Pod("q");
        byTerms.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms =
                    [
                        new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = "In", Values = ["b", "c"] }] },
                        new V1NodeSelectorTerm { MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = ["nowhere"] }] },
                    ],
                },
            },
        };

        Assert.Null(plugin.Filter(new CycleState(), bySelector, gpu));
        Assert.Equal("UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector", plugin.Filter(new CycleState(), bySelector, plain)?.ToString());
        Assert.Null(plugin.Filter(new CycleState(), byTerms, plain));
        Assert.NotNull(plugin.Filter(new CycleState(), byTerms, gpu));
    }

    [Fact]
    public void PreFilter_NarrowsToNodesNamedByMatchFields()
    {
        var pod = Build.Pod("p");
        pod.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = [new V1NodeSelectorTerm { MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = ["n1", "n2"] }] }] },
            },
        };

        var (result, status) = new NodeAffinity().PreFilter(new CycleState(), pod, []);

        Assert.Null(status);
        Assert.Equal(["n1", "n2"], result!.NodeNames!.Order());
        Assert.Equal(Code.Skip, new NodeAffinity().PreFilter(new CycleState(), Build.Pod("q"), []).Status?.Code);
    }

    [Fact]
    public void Score_SumsMatchedPreferredWeightsAndNormalizes()
    {
        var plugin = new NodeAffinity();
        var pod = Build.Pod("p");
        V1PreferredSchedulingTerm Prefer(string key, string value, int weight) =>
            new() { Preference = new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = key, OperatorProperty = "In", Values = [value] }] }, Weight = weight };
        pod.Spec.Affinity = new V1Affinity { NodeAffinity = new V1NodeAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [Prefer("zone", "a", 10), Prefer("disk", "ssd", 30)] } };
        NodeInfo[] nodes =
        [
            Build.Info(Build.Node("both", labels: new() { ["zone"] = "a", ["disk"] = "ssd" })),
            Build.Info(Build.Node("zone", labels: new() { ["zone"] = "a" })),
            Build.Info(Build.Node("none")),
        ];
        var state = new CycleState();

        Assert.Null(plugin.PreScore(state, pod, nodes));
        var scores = nodes.Select(n => new NodeScore(n.Name, plugin.Score(state, pod, n).Score)).ToArray();
        Assert.Equal([40L, 10L, 0L], scores.Select(s => s.Score));
        plugin.NormalizeScore(state, pod, scores);
        Assert.Equal([100L, 25L, 0L], scores.Select(s => s.Score));
    }

    [Fact]
    public void NodeName_FitsOnlyTheNamedNode()
    {
        var pod = Build.Pod("p", nodeName: "n1");

        Assert.Null(new NodeName().Filter(new CycleState(), pod, Build.Info(Build.Node("n1"))));
        Assert.Equal("UnschedulableAndUnresolvable: node(s) didn't match the requested node name", new NodeName().Filter(new CycleState(), pod, Build.Info(Build.Node("n2")))?.ToString());
    }
}
