using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Plugins.NodeUnschedulable;
using Cetus.Scheduler.Plugins.TaintToleration;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Plugins;

public sealed class TaintTolerationTests
{
    public static TheoryData<string, string?, string?, string?, string?, bool> Cases => new()
    {
        // taint effect, toleration key, operator, value, effect, fits
        { "NoSchedule", null, null, null, null, false },
        { "NoSchedule", "dedicated", "Equal", "gpu", "NoSchedule", true },
        { "NoSchedule", "dedicated", null, "gpu", null, true },
        { "NoSchedule", "dedicated", "Equal", "cpu", "NoSchedule", false },
        { "NoSchedule", "dedicated", "Exists", null, null, true },
        { "NoSchedule", null, "Exists", null, null, true },
        { "NoSchedule", "dedicated", "Exists", null, "NoExecute", false },
        { "NoExecute", null, null, null, null, false },
        { "NoExecute", "dedicated", "Exists", null, "NoExecute", true },
        { "PreferNoSchedule", null, null, null, null, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Filter_RejectsUntoleratedNoScheduleAndNoExecuteTaints(string effect, string? key, string? op, string? value, string? tolerationEffect, bool fits)
    {
        var node = Build.Info(Build.Node("n", taints: [new V1Taint { Key = "dedicated", Value = "gpu", Effect = effect }]));
        var pod = Build.Pod("p");
        if (key is not null || op is not null)
        {
            pod.Spec.Tolerations = [new V1Toleration { Key = key, OperatorProperty = op, Value = value, Effect = tolerationEffect }];
        }

        var status = new TaintToleration().Filter(new CycleState(), pod, node);

        if (fits)
        {
            Assert.Null(status);
        }
        else
        {
            Assert.Equal("UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}", status?.ToString());
        }
    }

    [Fact]
    public void Score_FewerIntolerablePreferNoScheduleTaintsIsBetter()
    {
        var plugin = new TaintToleration();
        var state = new CycleState();
        var pod = Build.Pod("p");
        pod.Spec.Tolerations = [new V1Toleration { Key = "tolerated", OperatorProperty = "Exists" }];
        V1Taint Prefer(string key) => new() { Key = key, Effect = "PreferNoSchedule" };
        NodeInfo[] nodes =
        [
            Build.Info(Build.Node("a", taints: [Prefer("tolerated")])),
            Build.Info(Build.Node("b", taints: [Prefer("x")])),
            Build.Info(Build.Node("c", taints: [Prefer("x"), Prefer("y")])),
        ];

        plugin.PreScore(state, pod, nodes);
        var scores = nodes.Select(n => new NodeScore(n.Name, plugin.Score(state, pod, n).Score)).ToArray();
        plugin.NormalizeScore(state, pod, scores);

        Assert.Equal([100L, 50L, 0L], scores.Select(s => s.Score));
    }

    [Fact]
    public void NodeUnschedulable_RejectsCordonedNodesUnlessTolerated()
    {
        var node = Build.Node("n");
        node.Spec.Unschedulable = true;
        var pod = Build.Pod("p");

        Assert.Equal("UnschedulableAndUnresolvable: node(s) were unschedulable", new NodeUnschedulable().Filter(new CycleState(), pod, Build.Info(node))?.ToString());
        pod.Spec.Tolerations = [new V1Toleration { Key = "node.kubernetes.io/unschedulable", OperatorProperty = "Exists", Effect = "NoSchedule" }];
        Assert.Null(new NodeUnschedulable().Filter(new CycleState(), pod, Build.Info(node)));
        Assert.Null(new NodeUnschedulable().Filter(new CycleState(), Build.Pod("q"), Build.Info(Build.Node("m"))));
    }
}
