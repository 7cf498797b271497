using Cetus.Scheduler.Cache;
using Cetus.Scheduler.Decisions;
using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Queue;
using Cetus.Scheduler.Tests.Framework;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Decisions;

public sealed class SchedulingDecisionTests
{
    private readonly ManualTime _time = new();
    private readonly FakeSchedulerClient _client = new();
    private readonly Dictionary<string, V1Pod> _pods = [];
    private readonly SchedulingDecisions _decisions = new(capacity: 2);
    private readonly Scheduler _scheduler;

    public SchedulingDecisionTests()
    {
        var profiles = ProfileBuilder.Build(null, PluginRegistry.InTree(), new PluginContext(_client));
        var pluginEvents = profiles[0].AllPlugins.OfType<IEnqueueExtensions>().ToDictionary(p => p.Name, p => p.EventsToRegister());
        var queue = new SchedulingQueue(profiles[0].QueueSort.Less, _ => profiles[0].PreEnqueue, pluginEvents, _time);
        _scheduler = new Scheduler(profiles, new SchedulerCache(), queue, _client, new FakeEvents(), key => _pods.GetValueOrDefault(key), _time, random: new Random(1), decisions: _decisions);
    }

    [Fact]
    public async Task Scheduled_RecordsEachRejectedNodeWithItsPluginAndEveryPluginsScore()
    {
        _scheduler.OnNodeAdd(Build.Node("small", cpu: "1"));
        _scheduler.OnNodeAdd(Build.Node("gpu", cpu: "8", taints: [new V1Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }]));
        _scheduler.OnNodeAdd(Build.Node("busy", cpu: "4"));
        _scheduler.OnNodeAdd(Build.Node("idle", cpu: "4"));
        _scheduler.OnPodAdd(Build.Pod("running", cpu: "1", nodeName: "busy"));

        await ScheduleAsync(Build.Pod("p", cpu: "2"));

        var decision = Find("p");
        Assert.Equal(("Scheduled", "idle", string.Empty), (decision.Result, decision.Node, decision.Message));
        Assert.Equal((4, 4, 2, 0), (decision.Nodes.Total, decision.Nodes.Evaluated, decision.Nodes.Feasible, decision.Nodes.NotEvaluated));
        Assert.Collection(
            decision.Filtered,
            f => Assert.Equal(("gpu", "TaintToleration", "UnschedulableAndUnresolvable", "node(s) had untolerated taint {dedicated: gpu}"), (f.Node, f.Plugin, f.Code, string.Join(", ", f.Reasons))),
            f => Assert.Equal(("small", "NodeResourcesFit", "UnschedulableAndUnresolvable", "Insufficient cpu"), (f.Node, f.Plugin, f.Code, string.Join(", ", f.Reasons))));

        // Highest total first; each total is the sum of the plugins' weighted scores; the chosen node leads.
        Assert.Equal(["idle", "busy"], decision.Scores.Select(s => s.Node));
        Assert.True(decision.Scores[0].Total > decision.Scores[1].Total);
        foreach (var node in decision.Scores)
        {
            Assert.Equal(node.Total, node.Plugins.Sum(p => p.Weighted));
            Assert.All(node.Plugins, p => Assert.InRange(p.Score, 0, 100));
        }

        var fit = (idle: decision.Scores[0].Plugins.Single(p => p.Plugin == "NodeResourcesFit"), busy: decision.Scores[1].Plugins.Single(p => p.Plugin == "NodeResourcesFit"));
        Assert.True(fit.idle.Score > fit.busy.Score, "LeastAllocated scores the idle node higher");
        Assert.Contains(decision.Scores[0].Plugins, p => p.Plugin == "TaintToleration" && p.Weight == 3);
    }

    [Fact]
    public async Task Unschedulable_RecordsTheFailedSchedulingMessageAndPreemptionsAnswer()
    {
        _scheduler.OnNodeAdd(Build.Node("small", cpu: "1"));

        await ScheduleAsync(Build.Pod("big", cpu: "2"));

        var decision = Find("big");
        Assert.Equal("Unschedulable", decision.Result);
        Assert.Null(decision.Node);
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.", decision.Message);
        Assert.Equal("small", Assert.Single(decision.Filtered).Node);
        Assert.Empty(decision.Scores);
        Assert.Equal("preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling", decision.Preemption);
    }

    [Fact]
    public async Task OneFeasibleNode_SaysScoringWasSkipped_AndAFailedBindingTurnsTheDecisionIntoAnError()
    {
        _scheduler.OnNodeAdd(Build.Node("only", cpu: "4"));
        _client.FailBinds = true;

        await ScheduleAsync(Build.Pod("p", cpu: "1"));

        var decision = Find("p");
        Assert.Equal("only one node is feasible: scoring was skipped", decision.Note);
        Assert.Equal("Error", decision.Result);
        Assert.StartsWith("chose only, then binding failed: ", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyTheLatestAttemptOfTheMostRecentPodsIsKept()
    {
        _scheduler.OnNodeAdd(Build.Node("n", cpu: "4"));

        await ScheduleAsync(Build.Pod("a", cpu: "1"));
        await ScheduleAsync(Build.Pod("b", cpu: "1"));
        await ScheduleAsync(Build.Pod("c", cpu: "1"));

        Assert.Null(_decisions.FindJson("default", "a"));
        Assert.Equal("b", Find("b").Name);
        Assert.Equal("c", Find("c").Name);
        Assert.Equal(2, _decisions.Capacity);
    }

    [Fact]
    public void Json_RoundTripsWithTheKindAndApiVersion()
    {
        var decision = new SchedulingDecision { Namespace = "ns", Name = "p", Uid = "u", SchedulerName = "default-scheduler", Time = DateTimeOffset.UnixEpoch, Result = "Scheduled", Node = "n" };
        decision.Scores.Add(new NodeScores { Node = "n", Total = 6, Plugins = [new PluginScore { Plugin = "X", Score = 2, Weight = 3 }] });

        var json = System.Text.Encoding.UTF8.GetString(decision.ToJson());

        Assert.Contains("\"apiVersion\":\"cetus.io/v1alpha1\",\"kind\":\"SchedulingDecision\"", json, StringComparison.Ordinal);
        Assert.Contains("\"weighted\":6", json, StringComparison.Ordinal);
        Assert.DoesNotContain("nominatedNode", json, StringComparison.Ordinal);
        var back = SchedulingDecision.FromJson(decision.ToJson())!;
        Assert.Equal(("n", 6L, 6L), (back.Node, back.Scores[0].Total, back.Scores[0].Plugins[0].Weighted));
    }

    [Fact]
    public void ScoreTable_ReadsAsRows_WithTotalsOfTheWeightedScores_HighestFirst_ThenByName()
    {
        // Rows b, a, c; columns Fit (weight 1) and Taint (weight 2).
        var table = new ScoreTable(["b", "a", "c"], ["Fit", "Taint"], [1, 2], [[50, 50, 90], [50, 50, 100]]);
        var decision = new SchedulingDecision { Namespace = "ns", Name = "p", Uid = "u", SchedulerName = "default-scheduler", Time = DateTimeOffset.UnixEpoch };
        decision.SetScores(table);

        Assert.Equal(["c", "a", "b"], decision.Scores.Select(s => s.Node));
        Assert.Equal([("Fit", 90L, 90L), ("Taint", 100L, 200L)], decision.Scores[0].Plugins.Select(p => (p.Plugin, p.Score, p.Weighted)));
        var back = SchedulingDecision.FromJson(decision.ToJson())!;
        Assert.Equal([("c", 290L), ("a", 150L), ("b", 150L)], back.Scores.Select(s => (s.Node, s.Total)));
        Assert.Equal(3, table.Count);
    }

    private SchedulingDecision Find(string name) =>
        SchedulingDecision.FromJson(_decisions.FindJson("default", name) ?? throw new Xunit.Sdk.XunitException($"no decision for {name}"))!;

    private async Task ScheduleAsync(V1Pod pod)
    {
        _pods[Cetus.Client.ObjectKeys.Of(pod)] = pod;
        _scheduler.OnPodAdd(pod);
        var info = await _scheduler.Queue.PopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        _scheduler.ScheduleOne(info!, CancellationToken.None);
        await _scheduler.WaitForBindingsAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
