using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Plugins.DefaultPreemption;
using Cetus.Scheduler.Plugins.NodeResourcesFit;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Plugins;

public sealed class DefaultPreemptionTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    // Victim selection on one 4-cpu node for a preemptor of priority 100 asking for the given cpu; pods are
    // name:cpu:priority:start-minute. Expected: the victims in order (most important first), or the status.
    public static TheoryData<string, string, string[], string> Victims => new()
    {
        { "one low pod makes room", "2", ["low:3:10:0"], "low" },
        { "only what is needed goes, the most important stays", "2", ["a:2:50:0", "b:2:10:0"], "b" },
        { "equal priority: the later started goes", "2", ["early:2:10:0", "late:2:10:5"], "late" },
        { "higher or equal priority pods are never victims", "2", ["same:2:100:0", "higher:2:500:0"], "Unschedulable: " + DefaultPreemption.NoVictims },
        { "even without every lower pod it does not fit", "4", ["low:2:10:0", "high:2:500:0"], "Unschedulable: Insufficient cpu" },
        { "several victims, most important first", "4", ["a:1:30:0", "b:1:20:0", "c:2:40:0"], "c,a,b" },
    };

    [Theory]
    [MemberData(nameof(Victims))]
    public void SelectVictimsOnNode_ReprievesAsManyAsPossible(string name, string cpu, string[] pods, string expected)
    {
        _ = name;
        var node = Build.Info(Build.Node("n1", cpu: "4"), [.. pods.Select(Running)]);
        var preemptor = Build.Pod("p", cpu: cpu, priority: 100);

        var (victims, status) = DefaultPreemption.SelectVictimsOnNode(new CycleState(), preemptor, node, Fit);

        Assert.Equal(expected, status is null ? string.Join(",", victims.Select(v => v.Metadata.Name)) : status.ToString());
    }

    // Node choice among candidates (victims per node as name:priority:start-minute, most important first).
    public static TheoryData<string, string[][], string> Choices => new()
    {
        { "lowest highest-victim priority", [["a:50:0"], ["b:10:0", "c:5:0"]], "n2" },
        { "then the smallest sum of priorities", [["a:10:0", "b:9:0"], ["c:10:0", "d:1:0"]], "n2" },
        { "then the fewest victims", [["a:10:0", "b:0:0", "c:0:0"], ["d:10:0", "e:0:0"]], "n2" },
        { "then the latest start of the highest-priority victims", [["a:10:5"], ["b:10:9"], ["c:10:1"]], "n2" },
        { "all equal: the first", [["a:10:0"], ["b:10:0"]], "n1" },
    };

    [Theory]
    [MemberData(nameof(Choices))]
    public void SelectCandidate_UsesUpstreamCriteriaInOrder(string name, string[][] victimsPerNode, string expected)
    {
        _ = name;
        var candidates = victimsPerNode.Select((victims, i) => new Candidate($"n{i + 1}", [.. victims.Select(v => Running(v.Split(':') is [var n, var p, var m] ? $"{n}:0:{p}:{m}" : v))])).ToList();

        Assert.Equal(expected, DefaultPreemption.SelectCandidate(candidates).Node);
    }

    [Fact]
    public void PostFilter_DeletesVictimsOfTheBestNode_AndNominatesIt()
    {
        var client = new FakeSchedulerClient();
        var plugin = new DefaultPreemption(client);
        var nodes = new List<NodeInfo>
        {
            Build.Info(Build.Node("n1", cpu: "2"), Running("mid:2:50:0")),
            Build.Info(Build.Node("n2", cpu: "2"), Running("low:2:10:0")),
            Build.Info(Build.Node("n3", cpu: "2", taints: [new V1Taint { Key = "k", Effect = "NoSchedule" }])),
        };
        var state = StateFor(nodes);
        var statuses = new Dictionary<string, Status>
        {
            ["n1"] = Status.Unschedulable("Insufficient cpu"),
            ["n2"] = Status.Unschedulable("Insufficient cpu"),
            ["n3"] = Status.Unresolvable("node(s) had untolerated taint {k: }"),
        };

        var (nominated, status) = plugin.PostFilter(state, Build.Pod("p", cpu: "2", priority: 100), statuses);

        Assert.Equal("n2", nominated);
        Assert.True(status!.IsSuccess);
        Assert.Equal(["low"], client.Deleted);
    }

    [Fact]
    public void PostFilter_NoCandidates_SaysWhyPerNodeInUpstreamWording()
    {
        var plugin = new DefaultPreemption(new FakeSchedulerClient());
        var nodes = new List<NodeInfo>
        {
            Build.Info(Build.Node("n1", cpu: "2"), Running("high:2:500:0")),
            Build.Info(Build.Node("n2", cpu: "2")),
        };
        var statuses = new Dictionary<string, Status>
        {
            ["n1"] = Status.Unschedulable("Insufficient cpu"),
            ["n2"] = Status.Unresolvable("node(s) didn't match Pod's node affinity/selector"),
        };

        var (nominated, status) = plugin.PostFilter(StateFor(nodes), Build.Pod("p", cpu: "2", priority: 100), statuses);

        Assert.Null(nominated);
        Assert.Equal("preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling", status!.Message);
    }

    [Fact]
    public void PostFilter_PreemptionPolicyNever_DoesNotPreempt()
    {
        var client = new FakeSchedulerClient();
        var nodes = new List<NodeInfo> { Build.Info(Build.Node("n1", cpu: "2"), Running("low:2:10:0")) };
        var pod = Build.Pod("p", cpu: "2", priority: 100);
        pod.Spec.PreemptionPolicy = "Never";

        var (nominated, status) = new DefaultPreemption(client).PostFilter(StateFor(nodes), pod, new Dictionary<string, Status> { ["n1"] = Status.Unschedulable("Insufficient cpu") });

        Assert.Null(nominated);
        Assert.Equal("preemption: not eligible due to preemptionPolicy=Never", status!.Message);
        Assert.Empty(client.Deleted);
    }

    [Fact]
    public void PostFilter_VictimStillTerminatingOnNominatedNode_DoesNotPreemptAgain()
    {
        var client = new FakeSchedulerClient();
        var victim = Running("low:2:10:0");
        victim.Metadata.DeletionTimestamp = T0;
        var nodes = new List<NodeInfo> { Build.Info(Build.Node("n1", cpu: "2"), victim) };
        var pod = Build.Pod("p", cpu: "2", priority: 100);
        pod.Status.NominatedNodeName = "n1";

        var (nominated, status) = new DefaultPreemption(client).PostFilter(StateFor(nodes), pod, new Dictionary<string, Status> { ["n1"] = Status.Unschedulable("Insufficient cpu") });

        Assert.Null(nominated);
        Assert.Equal("preemption: not eligible due to a terminating pod on the nominated node", status!.Message);
        Assert.Empty(client.Deleted);
    }

    private static CycleState StateFor(IReadOnlyList<NodeInfo> nodes)
    {
        var state = new CycleState();
        state.Write(CycleState.AllNodesKey, nodes);
        state.Write(CycleState.FilterRunnerKey, new FilterRunner(Fit));
        return state;
    }

    // The filter preemption re-runs: resources only, as NodeResourcesFit says.
    private static Status? Fit(CycleState state, V1Pod pod, NodeInfo node)
    {
        var fit = new NodeResourcesFit();
        var fitState = new CycleState();
        fit.PreFilter(fitState, pod, [node]);
        return fit.Filter(fitState, pod, node);
    }

    private static V1Pod Running(string spec)
    {
        var parts = spec.Split(':');
        var pod = Build.Pod(parts[0], cpu: parts[1] == "0" ? null : parts[1], priority: int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
        pod.Status.Phase = "Running";
        pod.Status.StartTime = T0.AddMinutes(int.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture));
        return pod;
    }
}
