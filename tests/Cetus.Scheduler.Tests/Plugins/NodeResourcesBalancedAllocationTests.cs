using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Plugins.NodeResourcesBalancedAllocation;
using Xunit;

namespace Cetus.Scheduler.Tests.Plugins;

public sealed class NodeResourcesBalancedAllocationTests
{
    [Theory]
    [InlineData("1", "4Gi", 87)]
    [InlineData("2", "4Gi", 100)]
    [InlineData("4", "0", 50)]
    public void Score_IsOneMinusTheStandardDeviationOfTheFractions(string cpu, string memory, long expected)
    {
        var plugin = new NodeResourcesBalancedAllocation();
        var state = new CycleState();
        var pod = Build.Pod("p", cpu, memory);
        var node = Build.Info(Build.Node("n", cpu: "4", memory: "8Gi"));

        Assert.Null(plugin.PreScore(state, pod, [node]));
        Assert.Equal(expected, plugin.Score(state, pod, node).Score);
    }

    [Fact]
    public void PreScore_SkipsPodsThatRequestNothing() =>
        Assert.Equal(Code.Skip, new NodeResourcesBalancedAllocation().PreScore(new CycleState(), Build.Pod("p"), [])?.Code);
}
