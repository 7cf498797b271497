using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Plugins.NodePorts;
using Cetus.Scheduler.Plugins.PrioritySort;
using Cetus.Scheduler.Plugins.SchedulingGates;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Plugins;

public sealed class NodePortsTests
{
    [Theory]
    [InlineData("TCP", null, "TCP", null, false)]
    [InlineData("TCP", null, "UDP", null, true)]
    [InlineData("TCP", "10.0.0.1", "TCP", "10.0.0.2", true)]
    [InlineData("TCP", "10.0.0.1", "TCP", "10.0.0.1", false)]
    [InlineData("TCP", "10.0.0.1", "TCP", null, false)]
    [InlineData("TCP", null, "TCP", "10.0.0.1", false)]
    public void Filter_RejectsTakenHostPorts(string usedProtocol, string? usedIp, string protocol, string? ip, bool fits)
    {
        var used = Build.Pod("used");
        used.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 80, HostPort = 8080, Protocol = usedProtocol, HostIP = usedIp }];
        var pod = Build.Pod("p");
        pod.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 80, HostPort = 8080, Protocol = protocol, HostIP = ip }];
        var node = Build.Info(Build.Node("n"), used);
        var plugin = new NodePorts();
        var state = new CycleState();

        Assert.Null(plugin.PreFilter(state, pod, [node]).Status);
        var status = plugin.Filter(state, pod, node);

        Assert.Equal(fits ? null : "Unschedulable: node(s) didn't have free ports for the requested pod ports", status?.ToString());
    }

    [Fact]
    public void PreFilter_SkipsPodsWithoutHostPorts() =>
        Assert.Equal(Code.Skip, new NodePorts().PreFilter(new CycleState(), Build.Pod("p"), []).Status?.Code);

    [Fact]
    public void SchedulingGates_HoldPodsWithGates()
    {
        var pod = Build.Pod("p");
        Assert.Null(new SchedulingGates().PreEnqueue(pod));

        pod.Spec.SchedulingGates = [new V1PodSchedulingGate { Name = "example.com/a" }, new V1PodSchedulingGate { Name = "example.com/b" }];
        Assert.Equal("UnschedulableAndUnresolvable: waiting for scheduling gates: [example.com/a example.com/b]", new SchedulingGates().PreEnqueue(pod)?.ToString());
    }

    [Fact]
    public void PrioritySort_HigherPriorityFirstThenOlder()
    {
        var time = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var high = new QueuedPodInfo(Build.Pod("high", priority: 10), time.AddSeconds(5));
        var oldLow = new QueuedPodInfo(Build.Pod("old"), time);
        var newLow = new QueuedPodInfo(Build.Pod("new"), time.AddSeconds(1));
        var sort = new PrioritySort();

        Assert.True(sort.Less(high, oldLow));
        Assert.False(sort.Less(oldLow, high));
        Assert.True(sort.Less(oldLow, newLow));
        Assert.False(sort.Less(newLow, oldLow));
    }
}
