using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Plugins.NodeResourcesFit;
using Cetus.Scheduler.Plugins.PrioritySort;
using Cetus.Scheduler.Plugins.SchedulingGates;
using Cetus.Scheduler.Queue;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Queue;

public sealed class SchedulingQueueTests
{
    private readonly ManualTime _time = new();
    private readonly SchedulingQueue _queue;

    public SchedulingQueueTests()
    {
        var gates = new SchedulingGates();
        var fit = new NodeResourcesFit();
        _queue = new SchedulingQueue(
            new PrioritySort().Less,
            _ => [gates],
            new Dictionary<string, IReadOnlyList<ClusterEvent>> { [gates.Name] = gates.EventsToRegister(), [fit.Name] = fit.EventsToRegister() },
            _time);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    [InlineData(5, 10)]
    [InlineData(12, 10)]
    public void Backoff_DoublesFromOneSecondToTen(int attempts, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), SchedulingQueue.BackoffDuration(attempts));

    [Fact]
    public async Task Pop_HigherPriorityFirstThenFirstIn()
    {
        _queue.Add(Build.Pod("a"));
        _time.Advance(TimeSpan.FromSeconds(1));
        _queue.Add(Build.Pod("b"));
        _queue.Add(Build.Pod("urgent", priority: 1000));

        Assert.Equal("urgent", (await PopAsync()).Pod.Metadata.Name);
        Assert.Equal("a", (await PopAsync()).Pod.Metadata.Name);
        Assert.Equal("b", (await PopAsync()).Pod.Metadata.Name);
    }

    [Fact]
    public async Task Unschedulable_MovesToActiveOnARegisteredEventOnly()
    {
        _queue.Add(Build.Pod("p"));
        var info = await PopAsync();
        info.UnschedulablePlugins.Add(NodeResourcesFit.PluginName);
        _queue.AddUnschedulable(info, _queue.SchedulingCycle);
        Assert.Equal("unschedulable", _queue.WhereIs("default/p"));

        // A node label change does not help a pod that lacked resources.
        _queue.MoveAllToActiveOrBackoff(new ClusterEvent(EventResource.Node, ActionType.UpdateNodeLabel, "NodeUpdate"));
        Assert.Equal("unschedulable", _queue.WhereIs("default/p"));

        // A new node does; the pod's 1 s backoff has not expired yet, so it waits in backoffQ first.
        _queue.MoveAllToActiveOrBackoff(ClusterEvent.NodeAdd);
        Assert.Equal("backoff", _queue.WhereIs("default/p"));
        _queue.FlushBackoffCompleted();
        Assert.Equal("backoff", _queue.WhereIs("default/p"));
        _time.Advance(TimeSpan.FromSeconds(1));
        _queue.FlushBackoffCompleted();
        Assert.Equal("active", _queue.WhereIs("default/p"));
    }

    [Fact]
    public async Task Unschedulable_GoesStraightToActiveWhenItsBackoffIsOver()
    {
        _queue.Add(Build.Pod("p"));
        var info = await PopAsync();
        _queue.AddUnschedulable(info, _queue.SchedulingCycle);
        _time.Advance(TimeSpan.FromSeconds(2));

        _queue.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodDelete);

        Assert.Equal("active", _queue.WhereIs("default/p"));
    }

    [Fact]
    public async Task Unschedulable_EventDuringTheAttemptSendsThePodToBackoff()
    {
        _queue.Add(Build.Pod("p"));
        var info = await PopAsync();
        var cycle = _queue.SchedulingCycle;
        _queue.MoveAllToActiveOrBackoff(ClusterEvent.NodeAdd);

        _queue.AddUnschedulable(info, cycle);

        Assert.Equal("backoff", _queue.WhereIs("default/p"));
    }

    [Fact]
    public async Task Unschedulable_FlushedAfterFiveMinutes()
    {
        _queue.Add(Build.Pod("p"));
        var info = await PopAsync();
        info.UnschedulablePlugins.Add(NodeResourcesFit.PluginName);
        _queue.AddUnschedulable(info, _queue.SchedulingCycle);

        _time.Advance(TimeSpan.FromMinutes(5));
        _queue.FlushUnschedulableLeftover();
        Assert.Equal("unschedulable", _queue.WhereIs("default/p"));

        _time.Advance(TimeSpan.FromSeconds(1));
        _queue.FlushUnschedulableLeftover();
        Assert.Equal("active", _queue.WhereIs("default/p"));
    }

    [Fact]
    public async Task Error_GoesToBackoffAndWaitsDoublingTimes()
    {
        _queue.Add(Build.Pod("p"));
        var info = await PopAsync();
        _queue.AddUnschedulable(info, _queue.SchedulingCycle, error: true);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        _queue.FlushBackoffCompleted();
        Assert.Equal("backoff", _queue.WhereIs("default/p"));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _queue.FlushBackoffCompleted();

        info = await PopAsync();
        Assert.Equal(2, info.Attempts);
        _queue.AddUnschedulable(info, _queue.SchedulingCycle, error: true);
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        _queue.FlushBackoffCompleted();
        Assert.Equal("backoff", _queue.WhereIs("default/p"));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _queue.FlushBackoffCompleted();
        Assert.Equal("active", _queue.WhereIs("default/p"));
    }

    [Fact]
    public void Gated_StaysOutOfActiveUntilTheGatesAreRemoved()
    {
        var pod = Build.Pod("p");
        pod.Spec.SchedulingGates = [new V1PodSchedulingGate { Name = "example.com/wait" }];
        _queue.Add(pod);
        Assert.Equal("unschedulable", _queue.WhereIs("default/p"));

        // Neither cluster events nor the five-minute flush release a gated pod.
        _queue.MoveAllToActiveOrBackoff(ClusterEvent.NodeAdd);
        _time.Advance(TimeSpan.FromMinutes(6));
        _queue.FlushUnschedulableLeftover();
        Assert.Equal("unschedulable", _queue.WhereIs("default/p"));

        var ungated = Build.Pod("p");
        _queue.Update(ungated);
        Assert.Equal("active", _queue.WhereIs("default/p"));
    }

    [Fact]
    public async Task Pop_WaitsForAPod()
    {
        var pop = _queue.PopAsync(CancellationToken.None);
        Assert.False(pop.IsCompleted);

        _queue.Add(Build.Pod("p"));

        Assert.Equal("p", (await pop.WaitAsync(TimeSpan.FromSeconds(10)))!.Pod.Metadata.Name);
    }

    [Fact]
    public void Delete_RemovesThePodWherever()
    {
        _queue.Add(Build.Pod("p"));
        _queue.Delete(Build.Pod("p"));

        Assert.Null(_queue.WhereIs("default/p"));
        Assert.Equal((0, 0, 0), _queue.Counts);
    }

    private async Task<QueuedPodInfo> PopAsync() => (await _queue.PopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)))!;
}
