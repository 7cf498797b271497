using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Plugins.DefaultPreemption;
using Cetus.Scheduler.Plugins.InterPodAffinity;
using Cetus.Scheduler.Plugins.PodTopologySpread;
using Cetus.Scheduler.Queue;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Framework;

/// <summary>The filters count pods nominated to a node (upstream RunFilterPluginsWithNominatedPods) through the nominator.</summary>
public sealed class NominatedPodsTests
{
    private const string Hostname = "kubernetes.io/hostname";

    private readonly Profile _profile = ProfileBuilder.Build(null, PluginRegistry.InTree(), new PluginContext(new FakeSchedulerClient()))[0];
    private readonly Nominator _nominator = new();

    [Theory]
    [InlineData(10, "Unschedulable: Insufficient cpu")]
    [InlineData(100, "Unschedulable: Insufficient cpu")]
    [InlineData(101, null)]
    public void NominatedPod_CountsForPodsOfNoHigherPriority(int priority, string? expected)
    {
        var node = Build.Info(Build.Node("a", cpu: "4"));
        _nominator.Add(new PodInfo(Build.Pod("nominated", cpu: "3", priority: 100)), "a");

        Assert.Equal(expected, Filter(Build.Pod("p", cpu: "2", priority: priority), node));
    }

    [Fact]
    public void NominatedPod_OnAnotherNode_OrThePodItself_DoesNotCount()
    {
        var node = Build.Info(Build.Node("a", cpu: "4"));
        var pod = Build.Pod("p", cpu: "2", priority: 100);
        _nominator.Add(new PodInfo(Build.Pod("elsewhere", cpu: "3", priority: 100)), "b");
        _nominator.Add(new PodInfo(pod), "a");

        Assert.Null(Filter(pod, node));
    }

    [Fact]
    public void PodAffinity_SatisfiedOnlyByANominatedPod_IsNotEnough()
    {
        // The second pass without nominated pods: they may never arrive, so a filter must not pass only thanks to them.
        var node = Build.Info(Build.Node("a", labels: new() { [Hostname] = "a" }));
        var elsewhere = Build.Info(Build.Node("b", labels: new() { [Hostname] = "b" }), App("db-0", "db"));
        _nominator.Add(new PodInfo(App("db-1", "db", priority: 100)), "a");
        var pod = App("web", "web");
        pod.Spec.Affinity = new V1Affinity { PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("db")] } };

        Assert.Equal("UnschedulableAndUnresolvable: " + InterPodAffinity.ErrReasonAffinityRulesNotMatch, Filter(pod, node, elsewhere));
    }

    [Theory]
    [InlineData(100, "Unschedulable: " + InterPodAffinity.ErrReasonAntiAffinityRulesNotMatch)]
    [InlineData(0, null)]
    public void NominatedPod_IsAddedToPreFilterState_ThroughTheAddPodExtension(int nominatedPriority, string? expected)
    {
        // PreFilter counted no db pod on "a"; the nominated one must reach InterPodAffinity's state through AddPod.
        var node = Build.Info(Build.Node("a", labels: new() { [Hostname] = "a" }));
        _nominator.Add(new PodInfo(App("db", "db", priority: nominatedPriority)), "a");
        var pod = App("web", "web", priority: 50);
        pod.Spec.Affinity = new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("db")] } };

        Assert.Equal(expected, Filter(pod, node));
    }

    [Fact]
    public void NominatedPod_CountsInTopologySpread_ThroughTheAddPodExtension()
    {
        var a = Build.Info(Build.Node("a", labels: new() { [Hostname] = "a" }));
        var b = Build.Info(Build.Node("b", labels: new() { [Hostname] = "b" }));
        _nominator.Add(new PodInfo(App("web-0", "web", priority: 10)), "a");
        var pod = App("web-1", "web", priority: 10);
        pod.Spec.TopologySpreadConstraints =
        [
            new V1TopologySpreadConstraint { MaxSkew = 1, TopologyKey = Hostname, WhenUnsatisfiable = "DoNotSchedule", LabelSelector = Term("web").LabelSelector },
        ];

        Assert.Equal("Unschedulable: " + PodTopologySpread.ErrReasonConstraintsNotMatch, Filter(pod, a, b));
        Assert.Null(Filter(pod, b, a));
    }

    [Fact]
    public void CycleStateClone_DoesNotLeakAddedPodsIntoTheOriginalState()
    {
        var node = Build.Info(Build.Node("a", labels: new() { [Hostname] = "a" }));
        var pod = App("web", "web", priority: 50);
        pod.Spec.Affinity = new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("db")] } };
        var state = new CycleState();
        Assert.Null(_profile.RunPreFilter(state, pod, [node]).Status);

        var clone = state.Clone();
        var withDb = node.Clone();
        var db = new PodInfo(App("db", "db"));
        withDb.AddPod(db);
        Assert.Null(_profile.RunPreFilterExtensionAddPod(clone, pod, db, withDb));

        Assert.NotNull(_profile.RunFilter(clone, pod, withDb));
        Assert.Null(_profile.RunFilter(state, pod, node));
    }

    [Fact]
    public void Preemption_RemovesVictimsFromPreFilterState_ThroughTheRemovePodExtension()
    {
        // The only db pod is the low-priority victim: once removed (and the state told), the anti-affinity is satisfied.
        var victim = App("db", "db", priority: 1);
        var node = Build.Info(Build.Node("a", labels: new() { [Hostname] = "a" }), victim);
        var pod = App("web", "web", priority: 50);
        pod.Spec.Affinity = new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("db")] } };
        var state = new CycleState();
        Assert.Null(_profile.RunPreFilter(state, pod, [node]).Status);
        var runner = new FilterRunner((s, p, n) => _profile.RunFilterWithNominatedPods(s, p, n, _nominator), _profile.RunPreFilterExtensionAddPod, _profile.RunPreFilterExtensionRemovePod);

        var (victims, _, status) = DefaultPreemption.SelectVictimsOnNode(state, pod, node, runner);

        Assert.Null(status);
        Assert.Equal(["db"], victims.Select(v => v.Metadata.Name));
        Assert.NotNull(_profile.RunFilter(state, pod, node));
    }

    [Fact]
    public void Nominator_FollowsThePodsStatus_AndForgetsDeletedPods()
    {
        var pod = Build.Pod("p", priority: 5);
        pod.Status.NominatedNodeName = "a";
        _nominator.Add(new PodInfo(pod));
        Assert.Equal(["p"], _nominator.NominatedPodsForNode("a").Select(p => p.Pod.Metadata.Name));

        // An update without a nomination right after an in-memory one keeps the in-memory node.
        var plain = Build.Pod("q");
        _nominator.Add(new PodInfo(plain), "b");
        _nominator.Update(plain, new PodInfo(Build.Pod("q")));
        Assert.Equal("b", _nominator.NominatedNodeOf(plain));

        // A new nomination in the status moves it; "" clears it; deletion forgets it.
        var moved = Build.Pod("p", priority: 5);
        moved.Status.NominatedNodeName = "c";
        _nominator.Update(pod, new PodInfo(moved));
        Assert.Empty(_nominator.NominatedPodsForNode("a"));
        Assert.Equal("c", _nominator.NominatedNodeOf(moved));
        _nominator.Add(new PodInfo(plain), string.Empty);
        Assert.Null(_nominator.NominatedNodeOf(plain));
        _nominator.Delete(moved);
        Assert.Empty(_nominator.NominatedPodsForNode("c"));
    }

    [Fact]
    public void Nominator_DoesNotNominateABoundOrDeletedPod()
    {
        var bound = Build.Pod("bound", nodeName: "a");
        var nominator = new Nominator(key => key == "default/bound" ? bound : null);

        nominator.Add(new PodInfo(Build.Pod("bound")), "a");
        nominator.Add(new PodInfo(Build.Pod("gone")), "a");

        Assert.Empty(nominator.NominatedPodsForNode("a"));
    }

    [Fact]
    public void Queue_KeepsTheNominatorInStep()
    {
        var queue = new SchedulingQueue(_profile.QueueSort.Less, _ => [], new Dictionary<string, IReadOnlyList<ClusterEvent>>(), new ManualTime());
        var pod = Build.Pod("p");
        pod.Status.NominatedNodeName = "a";

        queue.Add(pod);
        Assert.Equal("a", queue.Nominator.NominatedNodeOf(pod));

        queue.Delete(pod);
        Assert.Null(queue.Nominator.NominatedNodeOf(pod));
    }

    private string? Filter(V1Pod pod, NodeInfo node, params NodeInfo[] others)
    {
        var state = new CycleState();
        var (_, status) = _profile.RunPreFilter(state, pod, [node, .. others]);
        Assert.Null(status);
        return _profile.RunFilterWithNominatedPods(state, pod, node, _nominator)?.ToString();
    }

    private static V1Pod App(string name, string app, int? priority = null)
    {
        var pod = Build.Pod(name, priority: priority);
        pod.Metadata.Labels["app"] = app;
        return pod;
    }

    private static V1PodAffinityTerm Term(string app) => new()
    {
        TopologyKey = Hostname,
        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
    };
}
