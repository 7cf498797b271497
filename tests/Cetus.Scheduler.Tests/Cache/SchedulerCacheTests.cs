using Cetus.Scheduler.Cache;
using Xunit;
using static Cetus.Scheduler.Tests.Build;

namespace Cetus.Scheduler.Tests.Cache;

public sealed class SchedulerCacheTests
{
    [Fact]
    public void Snapshot_CopiesOnlyChangedNodes_AndFollowsAddsAndRemovals()
    {
        var cache = new SchedulerCache();
        foreach (var name in new[] { "a", "b", "c" })
        {
            cache.AddOrUpdateNode(Node(name));
        }

        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        var before = snapshot.List.ToList();

        cache.AddPod(Pod("p1", cpu: "1", nodeName: "b"));
        cache.UpdateSnapshot(snapshot);

        Assert.Equal(["a", "b", "c"], snapshot.List.Select(n => n.Name));
        Assert.Same(before[0], snapshot.List[0]);
        Assert.NotSame(before[1], snapshot.List[1]);
        Assert.Same(before[2], snapshot.List[2]);
        Assert.Equal(["p1"], snapshot.List[1].Pods.Select(p => p.Pod.Metadata.Name));
        Assert.Empty(before[1].Pods);

        cache.RemoveNode(Node("a"));
        cache.AddOrUpdateNode(Node("d"));
        cache.RemovePod(Pod("p1", cpu: "1", nodeName: "b"));
        cache.UpdateSnapshot(snapshot);

        Assert.Equal(["b", "c", "d"], snapshot.List.Select(n => n.Name));
        Assert.Empty(snapshot.List[0].Pods);
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(["b", "c", "d"], snapshot.List.Select(n => n.Name));
    }

    [Fact]
    public void ASecondSnapshot_StillSeesEverything()
    {
        var cache = new SchedulerCache();
        cache.AddOrUpdateNode(Node("a"));
        var first = new Snapshot();
        cache.UpdateSnapshot(first);
        cache.AddPod(Pod("p1", nodeName: "a"));
        cache.UpdateSnapshot(first);

        var second = new Snapshot();
        cache.UpdateSnapshot(second);

        Assert.Equal(["p1"], second.List.Single().Pods.Select(p => p.Pod.Metadata.Name));
    }
}
