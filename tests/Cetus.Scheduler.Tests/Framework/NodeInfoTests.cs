using Cetus.Scheduler.Framework;
using Xunit;

namespace Cetus.Scheduler.Tests.Framework;

public sealed class NodeInfoTests
{
    [Fact]
    public void InlineCounts_FollowThePodsAddedAndRemoved_AndTheNodeSet()
    {
        var info = new NodeInfo(Build.Node("n", cpu: "4", memory: "8Gi", pods: "110"));
        Assert.Equal((4000L, 8L << 30, 110L, 0), (info.AllocatableMilliCpu, info.AllocatableMemory, info.AllowedPods, info.PodCount));

        var big = new PodInfo(Build.Pod("big", cpu: "1500m", memory: "1Gi", nodeName: "n"));
        var empty = new PodInfo(Build.Pod("empty", nodeName: "n"));
        info.AddPod(big);
        info.AddPod(empty);

        // Each matches the Resource it mirrors: the filters and scores read only the inline copies.
        Assert.Equal(2, info.PodCount);
        Assert.Equal((1500L, 1L << 30), (info.RequestedMilliCpu, info.RequestedMemory));
        Assert.Equal((info.Requested.MilliCpu, info.Requested.MemoryBytes, info.Requested.EphemeralBytes), (info.RequestedMilliCpu, info.RequestedMemory, info.RequestedEphemeral));
        // A container without requests counts as 100m and 200Mi when scoring.
        Assert.Equal((1600L, (1L << 30) + (200L << 20)), (info.NonZeroMilliCpu, info.NonZeroMemory));

        var clone = info.Clone();
        Assert.True(info.RemovePod(big.Key));
        Assert.Equal((1, 0L, 0L, 100L), (info.PodCount, info.RequestedMilliCpu, info.RequestedMemory, info.NonZeroMilliCpu));
        Assert.Equal((2, 1500L, 1600L), (clone.PodCount, clone.RequestedMilliCpu, clone.NonZeroMilliCpu));

        info.SetNode(Build.Node("n", cpu: "8", memory: "16Gi", pods: "10"));
        Assert.Equal((8000L, 16L << 30, 10L), (info.AllocatableMilliCpu, info.AllocatableMemory, info.AllowedPods));
    }

    [Fact]
    public void Prefetch_OnlyHints_ForAnyNodeOrNone()
    {
        var info = new NodeInfo(Build.Node("n", cpu: "4"));
        NodeInfo.Prefetch(info);
        NodeInfo.Prefetch(null!);
        Assert.Equal(("n", 4000L, 0), (info.Name, info.AllocatableMilliCpu, info.PodCount));
    }
}
