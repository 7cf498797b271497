using Cetus.Scheduler.Cache;
using k8s.Models;
using Xunit;
using static Cetus.Scheduler.Tests.Build;

namespace Cetus.Scheduler.Tests.Cache;

public sealed class SchedulerCacheTests
{
    [Fact]
    public void AssumedPod_ExpiresOnlyAfterItsBindingFinished_AndTheTtlPassed()
    {
        var time = new ManualTime();
        var cache = new SchedulerCache(TimeSpan.FromSeconds(30), time);
        cache.AddOrUpdateNode(Node("n", cpu: "4"));
        var pod = Pod("p", cpu: "3", nodeName: "n");
        cache.AssumePod(pod);

        // The binding is in flight: however long it takes, the pod stays.
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(cache.CleanupExpiredAssumedPods());

        cache.FinishBinding(pod);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(cache.CleanupExpiredAssumedPods());
        Assert.True(cache.IsAssumed("default/p"));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["default/p"], cache.CleanupExpiredAssumedPods());
        Assert.False(cache.IsAssumed("default/p"));
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        Assert.Empty(snapshot.Get("n")!.Pods);
        Assert.Equal(0, snapshot.Get("n")!.Requested.MilliCpu);
    }

    [Fact]
    public void AssumedPod_SeenBoundBeforeTheTtl_NeverExpires()
    {
        var time = new ManualTime();
        var cache = new SchedulerCache(TimeSpan.FromSeconds(30), time);
        cache.AddOrUpdateNode(Node("n"));
        var pod = Pod("p", cpu: "1", nodeName: "n");
        cache.AssumePod(pod);
        cache.FinishBinding(pod);
        cache.AddPod(pod);

        time.Advance(TimeSpan.FromMinutes(5));

        Assert.Empty(cache.CleanupExpiredAssumedPods());
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(["p"], snapshot.Get("n")!.Pods.Select(p => p.Pod.Metadata.Name));
    }

    [Fact]
    public void AssumedPod_WithTheDefaultTtlOfZero_NeverExpires()
    {
        var time = new ManualTime();
        var cache = new SchedulerCache(time: time);
        cache.AddOrUpdateNode(Node("n"));
        var pod = Pod("p", cpu: "1", nodeName: "n");
        cache.AssumePod(pod);
        cache.FinishBinding(pod);

        time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(TimeSpan.Zero, SchedulerCache.DefaultAssumedPodTtl);
        Assert.Empty(cache.CleanupExpiredAssumedPods());
        Assert.True(cache.IsAssumed("default/p"));
    }

    [Fact]
    public async Task CleanupLoop_RunsOnTheClock()
    {
        var time = new ManualTime();
        var cache = new SchedulerCache(TimeSpan.FromSeconds(5), time);
        cache.AddOrUpdateNode(Node("n"));
        var pod = Pod("p", cpu: "1", nodeName: "n");
        cache.AssumePod(pod);
        cache.FinishBinding(pod);
        using var stop = new CancellationTokenSource();
        var expired = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = cache.RunCleanupAsync(keys => expired.TrySetResult(keys), stop.Token);

        // Tick the loop's one-second timer until the pod is 5 s past its binding.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!expired.Task.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "the cleanup loop did not expire the pod");
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }

        Assert.Equal(["default/p"], await expired.Task);
        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));
    }

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

    [Fact]
    public void Snapshot_ListsTheNodesWithAffinityPods_AndFollowsTheirComingAndGoing()
    {
        var cache = new SchedulerCache();
        foreach (var name in new[] { "a", "b", "c" })
        {
            cache.AddOrUpdateNode(Node(name));
        }

        cache.AddPod(Pod("plain", cpu: "1", nodeName: "a"));
        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        Assert.Empty(snapshot.WithAffinityPods);
        Assert.Empty(snapshot.WithRequiredAntiAffinityPods);

        // A pod with required anti-affinity on b, one with preferred affinity only on c.
        var anti = Pod("anti", cpu: "1", nodeName: "b");
        anti.Spec.Affinity = new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [new V1PodAffinityTerm { TopologyKey = "kubernetes.io/hostname", LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "x" } } }] } };
        var preferred = Pod("preferred", cpu: "1", nodeName: "c");
        preferred.Spec.Affinity = new V1Affinity { PodAffinity = new V1PodAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { Weight = 5, PodAffinityTerm = new V1PodAffinityTerm { TopologyKey = "zone" } }] } };
        cache.AddPod(anti);
        cache.AddPod(preferred);
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(["b", "c"], snapshot.WithAffinityPods.Select(n => n.Name));
        Assert.Equal(["b"], snapshot.WithRequiredAntiAffinityPods.Select(n => n.Name));
        // The lists hold the snapshot's current copies of those nodes.
        Assert.Same(snapshot.Get("b"), snapshot.WithRequiredAntiAffinityPods[0]);

        // A change to a listed node replaces its copy; the last affinity pod gone takes the node off the lists.
        cache.AddPod(Pod("more", cpu: "1", nodeName: "b"));
        cache.UpdateSnapshot(snapshot);
        Assert.Same(snapshot.Get("b"), snapshot.WithAffinityPods[0]);
        Assert.Equal(2, snapshot.WithAffinityPods[0].Pods.Count);
        cache.RemovePod(anti);
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(["c"], snapshot.WithAffinityPods.Select(n => n.Name));
        Assert.Empty(snapshot.WithRequiredAntiAffinityPods);

        // A node going away takes its entries along.
        cache.RemoveNode(Node("c"));
        cache.UpdateSnapshot(snapshot);
        Assert.Empty(snapshot.WithAffinityPods);
    }
}
