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

        var (victims, violations, status) = DefaultPreemption.SelectVictimsOnNode(new CycleState(), preemptor, node, new FilterRunner(Fit));

        Assert.Equal(0, violations);

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

        // "" clears a nomination the pod may have from an earlier preemption (upstream nominates "").
        Assert.Equal(string.Empty, nominated);
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

    // Two equal low pods on a 4-cpu node, a (started earlier) and b; the preemptor needs room for one of them.
    // PDBs select app=NAME with the disruptions they allow; "-" for none. Expected: victims, then the violation count.
    public static TheoryData<string, string, string, string, string> PdbVictims => new()
    {
        { "no PDB: the later started goes", "2", "-", "-", "b/0" },
        { "a PDB with no disruption left protects b: a goes instead", "2", "-", "0", "a/0" },
        { "both protected, one must go: the less important, counted as a violation", "2", "0", "0", "b/1" },
        { "both must go: both violate", "4", "0", "0", "a,b/2" },
        { "a PDB allowing one disruption covers it", "2", "-", "1", "b/0" },
    };

    [Theory]
    [MemberData(nameof(PdbVictims))]
    public void SelectVictimsOnNode_ReprievesPdbViolatingPodsFirst_AndCountsTheViolations(string name, string cpu, string pdbOfA, string pdbOfB, string expected)
    {
        _ = name;
        var a = Labelled(Running("a:2:10:0"), "a");
        var b = Labelled(Running("b:2:10:5"), "b");
        var pdbs = new[] { ("a", pdbOfA), ("b", pdbOfB) }.Where(p => p.Item2 != "-").Select(p => Pdb(p.Item1, int.Parse(p.Item2, System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var node = Build.Info(Build.Node("n1", cpu: "4"), a, b);

        var (victims, violations, status) = DefaultPreemption.SelectVictimsOnNode(new CycleState(), Build.Pod("p", cpu: cpu, priority: 100), node, new FilterRunner(Fit), pdbs);

        Assert.Null(status);
        Assert.Equal(expected, $"{string.Join(",", victims.Select(v => v.Metadata.Name))}/{violations}");
    }

    [Fact]
    public void SplitByPdbViolation_SkipsPodsTheBudgetAlreadyCountsAsDisrupted_AndOtherNamespacesAndEmptySelectors()
    {
        var pods = new[] { Labelled(Running("a:1:10:0"), "web"), Labelled(Running("b:1:10:0"), "web") }.Select(p => new PodInfo(p)).ToList();
        var counted = Pdb("web", 0);
        counted.Status.DisruptedPods = new Dictionary<string, DateTime?> { ["a"] = T0 };
        var elsewhere = Pdb("web", 0);
        elsewhere.Metadata.NamespaceProperty = "other";
        var everything = Pdb("web", 0);
        everything.Spec.Selector = new V1LabelSelector();

        var (violating, nonViolating) = DefaultPreemption.SplitByPdbViolation(pods, [counted, elsewhere, everything]);

        Assert.Equal(["b"], violating.Select(p => p.Pod.Metadata.Name));
        Assert.Equal(["a"], nonViolating.Select(p => p.Pod.Metadata.Name));
    }

    [Fact]
    public void SelectCandidate_FewestPdbViolationsComesFirst()
    {
        var candidates = new List<Candidate>
        {
            new("n1", [Running("low:0:10:0")], PdbViolations: 1),
            new("n2", [Running("higher:0:50:0")], PdbViolations: 0),
        };

        Assert.Equal("n2", DefaultPreemption.SelectCandidate(candidates).Node);
    }

    [Fact]
    public void PostFilter_PrefersTheNodeWhoseVictimNoBudgetProtects()
    {
        var client = new FakeSchedulerClient();
        var plugin = new DefaultPreemption(client, pdbs: () => [Pdb("guarded", 0)]);
        var nodes = new List<NodeInfo>
        {
            Build.Info(Build.Node("n1", cpu: "2"), Labelled(Running("guarded-0:2:10:9"), "guarded")),
            Build.Info(Build.Node("n2", cpu: "2"), Labelled(Running("free-0:2:10:0"), "free")),
        };
        var statuses = new Dictionary<string, Status>
        {
            ["n1"] = Status.Unschedulable("Insufficient cpu"),
            ["n2"] = Status.Unschedulable("Insufficient cpu"),
        };

        var (nominated, status) = plugin.PostFilter(StateFor(nodes), Build.Pod("p", cpu: "2", priority: 100), statuses);

        Assert.Equal("n2", nominated);
        Assert.True(status!.IsSuccess);
        Assert.Equal(["free-0"], client.Deleted);
    }

    private static V1Pod Labelled(V1Pod pod, string app)
    {
        pod.Metadata.Labels["app"] = app;
        return pod;
    }

    private static V1PodDisruptionBudget Pdb(string app, int allowed) => new()
    {
        Metadata = new V1ObjectMeta { Name = app, NamespaceProperty = "default" },
        Spec = new V1PodDisruptionBudgetSpec { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } } },
        Status = new V1PodDisruptionBudgetStatus { DisruptionsAllowed = allowed },
    };

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
