using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Plugins.PrioritySort;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Framework;

/// <summary>A filter whose PreFilter answered Skip does not run for any node of the cycle, nor of a copy of its state.</summary>
public sealed class ProfileFilterTests
{
    [Fact]
    public void SkippedFilter_RunsForNoNode_TheOthersForEach()
    {
        var skipped = new CountingFilter("Skipped", Status.Skip());
        var running = new CountingFilter("Running", null);
        var profile = new Profile { SchedulerName = "test", QueueSort = new PrioritySort(), PreFilter = [skipped, running], Filter = [skipped, running] };
        var nodes = new[] { new NodeInfo(Build.Node("a", cpu: "1")), new NodeInfo(Build.Node("b", cpu: "1")) };
        var state = new CycleState();
        var pod = Build.Pod("p", cpu: "100m");

        var (_, status) = profile.RunPreFilter(state, pod, nodes);
        foreach (var node in nodes)
        {
            Assert.Null(profile.RunFilter(state, pod, node));
        }

        Assert.Null(profile.RunFilter(state.Clone(), pod, nodes[0]));
        Assert.Null(status);
        Assert.Equal(0, skipped.Filtered);
        Assert.Equal(3, running.Filtered);
    }

    [Fact]
    public void WithoutPreFilter_EveryFilterRuns()
    {
        var first = new CountingFilter("First", null);
        var second = new CountingFilter("Second", null);
        var profile = new Profile { SchedulerName = "test", QueueSort = new PrioritySort(), Filter = [first, second] };

        Assert.Null(profile.RunFilter(new CycleState(), Build.Pod("p", cpu: "100m"), new NodeInfo(Build.Node("a", cpu: "1"))));
        Assert.Equal((1, 1), (first.Filtered, second.Filtered));
    }

    private sealed class CountingFilter(string name, Status? preFilter) : IPreFilterPlugin, IFilterPlugin
    {
        public string Name => name;

        public int Filtered { get; private set; }

        public (PreFilterResult? Result, Status? Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes) => (null, preFilter);

        public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
        {
            Filtered++;
            return null;
        }
    }
}
