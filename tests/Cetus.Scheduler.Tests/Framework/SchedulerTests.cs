using Cetus.Client.Informers;
using Cetus.Scheduler.Cache;
using Cetus.Scheduler.Config;
using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Queue;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Framework;

public sealed class SchedulerTests
{
    private readonly ManualTime _time = new();
    private readonly FakeSchedulerClient _client = new();
    private readonly FakeEvents _events = new();
    private readonly Dictionary<string, V1Pod> _pods = [];
    private readonly Scheduler _scheduler;

    public SchedulerTests()
        : this(null)
    {
    }

    private SchedulerTests(SchedulerConfiguration? configuration)
    {
        var profiles = ProfileBuilder.Build(configuration, PluginRegistry.InTree(), new PluginContext(_client));
        var pluginEvents = profiles[0].AllPlugins.OfType<IEnqueueExtensions>().ToDictionary(p => p.Name, p => p.EventsToRegister());
        var queue = new SchedulingQueue(profiles[0].QueueSort.Less, _ => profiles[0].PreEnqueue, pluginEvents, _time);
        _scheduler = new Scheduler(profiles, new SchedulerCache(), queue, _client, _events, key => _pods.GetValueOrDefault(key), _time, random: new Random(1));
    }

    [Fact]
    public async Task Schedule_BindsToTheLeastAllocatedNodeAndAssumesThePodAtOnce()
    {
        _scheduler.OnNodeAdd(Build.Node("busy", cpu: "4"));
        _scheduler.OnNodeAdd(Build.Node("idle", cpu: "4"));
        _scheduler.OnPodAdd(Build.Pod("running", cpu: "3", nodeName: "busy"));

        await ScheduleAsync(Build.Pod("p", cpu: "1", memory: "1Gi"));

        Assert.Equal([("p", "idle")], _client.Bindings);
        Assert.True(_scheduler.Cache.IsAssumed("default/p"));
        Assert.Contains("Normal Scheduled Successfully assigned default/p to idle", _events.Recorded);
    }

    [Fact]
    public async Task Schedule_AssumedPodsCountBeforeTheirBindingIsSeen()
    {
        _scheduler.OnNodeAdd(Build.Node("n", cpu: "4"));

        await ScheduleAsync(Build.Pod("first", cpu: "3"));
        await ScheduleAsync(Build.Pod("second", cpu: "3"));

        Assert.Equal([("first", "n")], _client.Bindings);
        Assert.Contains("Warning FailedScheduling 0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.", _events.Recorded);
    }

    [Fact]
    public async Task Schedule_NoFit_SaysWhyPerNodeSetsTheConditionAndWaitsForANode()
    {
        for (var i = 0; i < 2; i++)
        {
            _scheduler.OnNodeAdd(Build.Node($"small{i}", cpu: "1"));
        }

        for (var i = 0; i < 3; i++)
        {
            _scheduler.OnNodeAdd(Build.Node($"gpu{i}", cpu: "8", taints: [new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }]));
        }

        await ScheduleAsync(Build.Pod("p", cpu: "2"));

        const string message = "0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.";
        Assert.Equal("Warning FailedScheduling " + message, Assert.Single(_events.Recorded));
        await WaitForAsync(() => _client.Conditions.Count == 1);
        var (pod, condition) = _client.Conditions[0];
        Assert.Equal(("p", "False", "Unschedulable", message), (pod, condition.Status, condition.Reason, condition.Message));
        Assert.Equal("unschedulable", _scheduler.Queue.WhereIs("default/p"));

        // A new node is an event both rejecting plugins registered: the pod (its 1 s backoff over) goes to activeQ.
        _time.Advance(TimeSpan.FromSeconds(1));
        _scheduler.OnNodeAdd(Build.Node("big", cpu: "8"));
        Assert.Equal("active", _scheduler.Queue.WhereIs("default/p"));
        await ScheduleNextAsync();
        Assert.Equal([("p", "big")], _client.Bindings);
    }

    [Fact]
    public async Task Preemption_DeletesTheLowerPriorityPod_NominatesTheNode_ThenBindsThereFirst()
    {
        _scheduler.OnNodeAdd(Build.Node("busy", cpu: "4"));
        _scheduler.OnNodeAdd(Build.Node("other", cpu: "1"));
        var low = Build.Pod("low", cpu: "3", priority: 10, nodeName: "busy");
        _scheduler.OnPodAdd(low);

        var high = Build.Pod("high", cpu: "3", priority: 1000);
        await ScheduleAsync(high);

        Assert.Contains("Warning FailedScheduling 0/2 nodes are available: 2 Insufficient cpu.", _events.Recorded);
        Assert.Equal(["low"], _client.Deleted);
        await WaitForAsync(() => _client.Nominations.Count == 1);
        Assert.Equal(("high", "busy"), _client.Nominations[0]);

        // The victim goes; the nominated pod is tried on its node first.
        var nominated = Build.Pod("high", cpu: "3", priority: 1000);
        nominated.Status.NominatedNodeName = "busy";
        _pods["default/high"] = nominated;
        _scheduler.OnPodUpdate(high, nominated);
        _time.Advance(TimeSpan.FromSeconds(1));
        _scheduler.OnPodDelete(new DeletedObject<V1Pod>(low, false));
        await ScheduleNextAsync();
        Assert.Equal([("high", "busy")], _client.Bindings);
    }

    [Fact]
    public async Task Preemption_TheRoomMadeIsKeptForThePreemptor_AgainstPodsOfLowerPriorityOnly()
    {
        _scheduler.OnNodeAdd(Build.Node("busy", cpu: "4"));
        var low = Build.Pod("low", cpu: "3", priority: 10, nodeName: "busy");
        _scheduler.OnPodAdd(low);
        await ScheduleAsync(Build.Pod("high", cpu: "3", priority: 1000));
        Assert.Equal(["low"], _client.Deleted);

        // The victim is gone and the preemptor still backs off: the nominator (recorded in memory at once, before
        // the status write) keeps its room on "busy" against a pod of lower priority...
        _scheduler.OnPodDelete(new DeletedObject<V1Pod>(low, false));
        Assert.Equal("backoff", _scheduler.Queue.WhereIs("default/high"));
        await ScheduleAsync(Build.Pod("mid", cpu: "2", priority: 500));
        Assert.Empty(_client.Bindings);
        Assert.Contains("Warning FailedScheduling 0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.", _events.Recorded);

        // ...but not against one of higher priority.
        await ScheduleAsync(Build.Pod("top", cpu: "2", priority: 2000));
        Assert.Equal([("top", "busy")], _client.Bindings);
    }

    [Fact]
    public async Task Schedule_NoNodes()
    {
        await ScheduleAsync(Build.Pod("p"));

        Assert.Contains("Warning FailedScheduling no nodes available to schedule pods", _events.Recorded);
    }

    [Fact]
    public async Task Bind_Failure_ForgetsTheAssumedPodAndBacksOff()
    {
        _scheduler.OnNodeAdd(Build.Node("n", cpu: "4"));
        _client.FailBinds = true;

        await ScheduleAsync(Build.Pod("p", cpu: "3"));

        Assert.False(_scheduler.Cache.IsAssumed("default/p"));
        Assert.Equal("backoff", _scheduler.Queue.WhereIs("default/p"));
        Assert.Contains(_events.Recorded, e => e.StartsWith("Warning FailedScheduling binding rejected: connection refused", StringComparison.Ordinal));

        // The node's CPU is free again: the retry binds.
        _client.FailBinds = false;
        _time.Advance(TimeSpan.FromSeconds(1));
        _scheduler.Queue.FlushBackoffCompleted();
        await ScheduleNextAsync();
        Assert.Equal([("p", "n")], _client.Bindings);
    }

    [Fact]
    public async Task Schedule_BoundPodFromTheInformerReplacesTheAssumedOne()
    {
        _scheduler.OnNodeAdd(Build.Node("n", cpu: "4"));
        var pod = Build.Pod("p", cpu: "3");
        await ScheduleAsync(pod);

        var bound = Build.Pod("p", cpu: "3", nodeName: "n");
        _scheduler.OnPodUpdate(pod, bound);
        Assert.False(_scheduler.Cache.IsAssumed("default/p"));

        // Deleting it frees the node for a pod waiting on CPU.
        await ScheduleAsync(Build.Pod("q", cpu: "3"));
        Assert.Equal("unschedulable", _scheduler.Queue.WhereIs("default/q"));
        _time.Advance(TimeSpan.FromSeconds(1));
        _scheduler.OnPodDelete(new DeletedObject<V1Pod>(bound, false));
        Assert.Equal("active", _scheduler.Queue.WhereIs("default/q"));
    }

    [Fact]
    public async Task Schedule_VisitsNodesRoundRobinFromWhereTheLastCycleStopped()
    {
        for (var i = 0; i < 200; i++)
        {
            _scheduler.OnNodeAdd(Build.Node($"n{i:D3}"));
        }

        await ScheduleAsync(Build.Pod("first"));
        await ScheduleAsync(Build.Pod("second"));

        // 200 nodes: 49 % = 98, raised to the minimum of 100 feasible nodes per cycle.
        Assert.InRange(string.CompareOrdinal(_client.Bindings[0].Node, "n100"), int.MinValue, -1);
        Assert.InRange(string.CompareOrdinal(_client.Bindings[1].Node, "n100"), 0, int.MaxValue);
    }

    [Theory]
    [InlineData(null, 50, 50)]
    [InlineData(null, 100, 100)]
    [InlineData(null, 1000, 420)]
    [InlineData(null, 5000, 500)]
    [InlineData(null, 6000, 300)]
    [InlineData(10, 500, 100)]
    [InlineData(30, 1000, 300)]
    [InlineData(100, 500, 500)]
    public void NumFeasibleNodesToFind_AdaptiveOrConfigured(int? percentage, int nodes, int expected) =>
        Assert.Equal(expected, Scheduler.NumFeasibleNodesToFind(percentage, nodes));

    [Fact]
    public async Task Schedule_ProfileFromConfiguration_ChangesTheOutcome()
    {
        // With NodeAffinity weighted 50 and resource scoring off, the preferred (busy) node wins.
        var configuration = SchedulerConfiguration.Parse("""
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            profiles:
            - schedulerName: default-scheduler
              plugins:
                score:
                  disabled:
                  - name: NodeResourcesFit
                  enabled:
                  - name: NodeAffinity
                    weight: 50
            """);
        var test = new SchedulerTests(configuration);
        test._scheduler.OnNodeAdd(Build.Node("busy", cpu: "4", labels: new() { ["disk"] = "ssd" }));
        test._scheduler.OnNodeAdd(Build.Node("idle", cpu: "4"));
        test._scheduler.OnPodAdd(Build.Pod("running", cpu: "3", nodeName: "busy"));
        var pod = Build.Pod("p", cpu: "100m");
        pod.Spec.Affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                    [new V1PreferredSchedulingTerm { Preference = new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "disk", OperatorProperty = "In", Values = ["ssd"] }] }, Weight = 1 }],
            },
        };

        await test.ScheduleAsync(pod);

        Assert.Equal([("p", "busy")], test._client.Bindings);
    }

    private async Task ScheduleAsync(V1Pod pod)
    {
        _pods[Cetus.Client.ObjectKeys.Of(pod)] = pod;
        _scheduler.OnPodAdd(pod);
        await ScheduleNextAsync();
    }

    private async Task ScheduleNextAsync()
    {
        var info = await _scheduler.Queue.PopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        _scheduler.ScheduleOne(info!, CancellationToken.None);
        await _scheduler.WaitForBindingsAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 10 s");
            await Task.Delay(10);
        }
    }
}
