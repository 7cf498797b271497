using Cetus.Client.Dynamic;
using Cetus.Controllers.GarbageCollector;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static Cetus.Controllers.Tests.FakeDynamicClient;

namespace Cetus.Controllers.Tests.GarbageCollector;

/// <summary>The collector's decisions, driven by graph events and live reads against an in-memory API.</summary>
public sealed class GarbageCollectorTests
{
    private const string Ns = "default";
    private readonly FakeDynamicClient _api = new();
    private readonly Cetus.Controllers.GarbageCollector.GarbageCollector _gc;

    public GarbageCollectorTests()
    {
        var mapper = new ResourceMapper();
        mapper.Update(_api.Resources);
        _gc = new Cetus.Controllers.GarbageCollector.GarbageCollector(_api, mapper, new ManualTime(), TimeSpan.Zero, NullLogger.Instance);
    }

    [Fact]
    public async Task Background_OwnerGone_DependentDeletedWithItsUidPrecondition()
    {
        var rs = Observe(_api.Add(ReplicaSets, Ns, "web-1"));
        Observe(_api.Add(Pods, Ns, "pod-a", null, Ref(rs)));
        Observe(_api.Add(Pods, Ns, "pod-b", null, Ref(rs)));
        Assert.Empty(await DrainAsync());

        await _api.DeleteAsync(ReplicaSets, Ns, "web-1", new V1DeleteOptions { PropagationPolicy = "Background" }, default);
        _gc.Graph.OnDelete(rs);
        var queued = await DrainAsync();

        Assert.Equal(["uid-pod-a", "uid-pod-b"], queued.Order(StringComparer.Ordinal));
        Assert.Null(_api.Find(Pods, Ns, "pod-a"));
        Assert.Null(_api.Find(Pods, Ns, "pod-b"));
        Assert.Contains($"delete pods {Ns}/pod-a Background", _api.Actions);
    }

    [Fact]
    public async Task SolidOwner_NothingDeleted()
    {
        var rs = Observe(_api.Add(ReplicaSets, Ns, "web-1"));
        Observe(_api.Add(Pods, Ns, "pod-a", null, Ref(rs)));

        await _gc.AttemptToDeleteAsync("uid-pod-a", default);

        Assert.NotNull(_api.Find(Pods, Ns, "pod-a"));
        Assert.DoesNotContain(_api.Actions, a => a.StartsWith("delete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dangling_OwnerNeverExisted_VirtualNodeVerifiedThenDependentDeleted()
    {
        var ghost = new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "ghost", Uid = "uid-ghost" };
        Observe(_api.Add(ConfigMaps, Ns, "child", null, ghost));

        Assert.True(_gc.Graph.Get("uid-ghost")!.Virtual);
        await DrainAsync();

        Assert.Null(_gc.Graph.Get("uid-ghost"));
        Assert.Null(_api.Find(ConfigMaps, Ns, "child"));
        Assert.True(_gc.Graph.IsKnownAbsent(new ObjectIdentity("v1", "ConfigMap", Ns, "ghost", "uid-ghost")));
    }

    [Fact]
    public async Task Dangling_OwnerNameReusedWithAnotherUid_CountsAsAbsent()
    {
        _api.Add(ConfigMaps, Ns, "parent", "uid-new-parent");
        var stale = new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "parent", Uid = "uid-old-parent" };
        Observe(_api.Add(ConfigMaps, Ns, "child", null, stale));

        await DrainAsync();

        Assert.Null(_api.Find(ConfigMaps, Ns, "child"));
        Assert.NotNull(_api.Find(ConfigMaps, Ns, "parent"));
    }

    [Fact]
    public async Task SolidAndDanglingOwners_OnlyTheDanglingReferenceIsRemoved()
    {
        var parent = Observe(_api.Add(ConfigMaps, Ns, "parent"));
        var ghost = new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "ghost", Uid = "uid-ghost" };
        Observe(_api.Add(ConfigMaps, Ns, "child", null, Ref(parent), ghost));

        await DrainAsync();

        var child = _api.Find(ConfigMaps, Ns, "child");
        Assert.NotNull(child);
        Assert.Equal(["uid-parent"], child.Metadata.OwnerReferences.Select(r => r.Uid));
    }

    [Fact]
    public async Task OwnerKindUnknownToDiscovery_IsRetriedNotDeleted()
    {
        var owner = new V1OwnerReference { ApiVersion = "example.com/v1", Kind = "Widget", Name = "w", Uid = "uid-w" };
        Observe(_api.Add(ConfigMaps, Ns, "child", null, owner));

        await Assert.ThrowsAnyAsync<Exception>(() => _gc.AttemptToDeleteAsync("uid-child", default));

        Assert.NotNull(_api.Find(ConfigMaps, Ns, "child"));
    }

    [Fact]
    public async Task Foreground_OwnerWaitsForBlockingDependents_ThenItsFinalizerIsRemoved()
    {
        var deploy = Observe(_api.Add(Deployments, Ns, "web"));
        var rs = Observe(_api.Add(ReplicaSets, Ns, "web-1", null, Ref(deploy)));
        Observe(_api.Add(Pods, Ns, "pod-a", null, Ref(rs)));

        // kubectl delete --cascade=foreground: the API server marks the Deployment and adds the finalizer.
        await _api.DeleteAsync(Deployments, Ns, "web", new V1DeleteOptions { PropagationPolicy = "Foreground" }, default);
        Observe(_api.Find(Deployments, Ns, "web")!, deploy);
        Assert.True(_gc.Graph.Get("uid-web")!.DeletingDependents);
        await DrainAsync();

        // The ReplicaSet has dependents of its own: it is deleted in the foreground too; the Deployment waits.
        Assert.Contains($"delete replicasets {Ns}/web-1 Foreground", _api.Actions);
        Assert.Equal(["foregroundDeletion"], _api.Find(Deployments, Ns, "web")!.Metadata.Finalizers);
        var rsDeleting = Observe(_api.Find(ReplicaSets, Ns, "web-1")!, rs);
        await DrainAsync();

        // Its pod (no dependents) goes in the background; once the live read shows it gone, the ReplicaSet has no
        // blocking dependent left: its finalizer is removed and it goes. The Deployment still waits for the event.
        Assert.Contains($"delete pods {Ns}/pod-a Background", _api.Actions);
        Assert.Null(_api.Find(Pods, Ns, "pod-a"));
        Assert.Null(_api.Find(ReplicaSets, Ns, "web-1"));
        Assert.Equal(["foregroundDeletion"], _api.Find(Deployments, Ns, "web")!.Metadata.Finalizers);

        _gc.Graph.OnDelete(rsDeleting);
        await DrainAsync();
        Assert.Null(_api.Find(Deployments, Ns, "web"));
    }

    [Fact]
    public async Task Foreground_NonBlockingDependents_DoNotHoldTheOwner()
    {
        var owner = Observe(_api.Add(ConfigMaps, Ns, "owner"));
        var loose = Ref(owner);
        loose.BlockOwnerDeletion = false;
        Observe(_api.Add(ConfigMaps, Ns, "loose", null, loose));

        await _api.DeleteAsync(ConfigMaps, Ns, "owner", new V1DeleteOptions { PropagationPolicy = "Foreground" }, default);
        Observe(_api.Find(ConfigMaps, Ns, "owner")!, owner);
        await _gc.AttemptToDeleteAsync("uid-owner", default);

        Assert.Null(_api.Find(ConfigMaps, Ns, "owner"));
    }

    [Fact]
    public async Task Orphan_ReferencesRemovedFromDependents_ThenTheOrphanFinalizer()
    {
        var deploy = Observe(_api.Add(Deployments, Ns, "web"));
        var other = Observe(_api.Add(ConfigMaps, Ns, "other"));
        Observe(_api.Add(ReplicaSets, Ns, "web-1", null, Ref(deploy), Ref(other)));
        Observe(_api.Add(ReplicaSets, Ns, "web-2", null, Ref(deploy)));

        await _api.DeleteAsync(Deployments, Ns, "web", new V1DeleteOptions { PropagationPolicy = "Orphan" }, default);
        Observe(_api.Find(Deployments, Ns, "web")!, deploy);
        var (orphanKey, _) = await _gc.AttemptToOrphan.Queue.GetAsync(default);
        Assert.Equal("uid-web", orphanKey);
        await _gc.AttemptToOrphanAsync(orphanKey, default);

        Assert.Equal(["uid-other"], _api.Find(ReplicaSets, Ns, "web-1")!.Metadata.OwnerReferences.Select(r => r.Uid));
        Assert.Null(_api.Find(ReplicaSets, Ns, "web-2")!.Metadata.OwnerReferences);
        Assert.Null(_api.Find(Deployments, Ns, "web"));
        Assert.DoesNotContain(_api.Actions, a => a.StartsWith("delete replicasets", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BeingDeletedWithoutForeground_IsLeftAlone()
    {
        var parent = Observe(_api.Add(ConfigMaps, Ns, "parent"));
        _api.Graceful.Add("child");
        Observe(_api.Add(ConfigMaps, Ns, "child", null, Ref(parent)));
        await _api.DeleteAsync(ConfigMaps, Ns, "child", new V1DeleteOptions(), default);
        Observe(_api.Find(ConfigMaps, Ns, "child")!, null);
        _api.Actions.Clear();

        await _gc.AttemptToDeleteAsync("uid-child", default);

        Assert.Empty(_api.Actions);
    }

    [Fact]
    public async Task RunAsync_MonitorsEveryDiscoveredResource_AndCollectsWhatItFinds()
    {
        var parent = _api.Add(Deployments, Ns, "web");
        _api.Add(ReplicaSets, Ns, "web-1", null, Ref(parent));
        _api.Add(ConfigMaps, Ns, "orphaned", null, new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "gone", Uid = "uid-gone" });
        _api.Add(Events, Ns, "ev-1");
        using var stop = new CancellationTokenSource();

        var run = _gc.RunAsync(1, stop.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_api.Find(ConfigMaps, Ns, "orphaned") is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the dangling ConfigMap was not collected");
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await run;
        Assert.NotNull(_api.Find(ReplicaSets, Ns, "web-1"));
        Assert.NotNull(_gc.Graph.Get("uid-web"));
        Assert.Null(_gc.Graph.Get("uid-ev-1"));
    }

    [Fact]
    public async Task Rediscovery_KeepsOneMonitorPerResource_AndStopsThoseOfResourcesGone()
    {
        // Every 30 s the collector reads discovery again; each answer is new records. It used to start a second
        // monitor (list, watch, connection) for every resource each time, and never stop the first.
        _api.FreshRecords = true;
        var collectable = _api.Resources.Count(Cetus.Controllers.GarbageCollector.GarbageCollector.Collectable);
        try
        {
            await _gc.SyncMonitorsAsync(default);
            await _gc.SyncMonitorsAsync(default);
            await _gc.SyncMonitorsAsync(default);
            Assert.Equal(collectable, _gc.MonitorCount);

            _api.Resources.Remove(Deployments);
            await _gc.SyncMonitorsAsync(default);
            Assert.Equal(collectable - 1, _gc.MonitorCount);
        }
        finally
        {
            await _gc.StopMonitorsAsync();
        }
    }

    [Fact]
    public void ApiResource_WithEqualVerbsInAnotherList_IsEqual()
    {
        var again = Pods with { Verbs = [.. Pods.Verbs] };

        Assert.Equal(Pods, again);
        Assert.Equal(Pods.GetHashCode(), again.GetHashCode());
        Assert.NotEqual(Pods, Pods with { Verbs = ["get"] });
    }

    [Fact]
    public void Collectable_NeedsListWatchDelete_AndSkipsEvents()
    {
        Assert.True(Cetus.Controllers.GarbageCollector.GarbageCollector.Collectable(Pods));
        Assert.False(Cetus.Controllers.GarbageCollector.GarbageCollector.Collectable(Events));
        Assert.False(Cetus.Controllers.GarbageCollector.GarbageCollector.Collectable(new ApiResource("authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview", false, ["create"])));
    }

    private static V1OwnerReference Ref(PartialObject owner) => new()
    {
        ApiVersion = owner.ApiVersion,
        Kind = owner.Kind,
        Name = owner.Metadata.Name,
        Uid = owner.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    // What an informer would report: the object as stored now (a copy), after <paramref name="old"/>.
    private PartialObject Observe(PartialObject item, PartialObject? old = null)
    {
        var copy = Cetus.Client.Objects.Clone(item);
        _gc.Graph.OnUpsert(old, copy);
        return copy;
    }

    // Runs the attemptToDelete queue until it is empty; returns the keys processed.
    private async Task<List<string>> DrainAsync()
    {
        var processed = new List<string>();
        while (_gc.AttemptToDelete.Queue.Length > 0)
        {
            var (key, _) = await _gc.AttemptToDelete.Queue.GetAsync(default);
            processed.Add(key);
            try
            {
                await _gc.AttemptToDeleteAsync(key, default);
            }
            finally
            {
                _gc.AttemptToDelete.Queue.Done(key);
            }
        }

        return processed;
    }
}
