using Cetus.Scheduler.Framework;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests;

/// <summary>Which node updates can let a pending pod fit; nodes without a status (created through the API) included.</summary>
public sealed class NodeChangeTests
{
    [Fact]
    public void NodeWithoutStatus_GainingAllocatable_IsAnAllocatableChange()
    {
        var before = new V1Node { Metadata = new V1ObjectMeta { Name = "n" } };
        var after = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = "n" },
            Status = new V1NodeStatus { Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4") } },
        };

        Assert.True(Scheduler.NodeChange(before, after).HasFlag(ActionType.UpdateNodeAllocatable));
        Assert.False(Scheduler.NodeChange(before, before).HasFlag(ActionType.UpdateNodeAllocatable));
    }
}
