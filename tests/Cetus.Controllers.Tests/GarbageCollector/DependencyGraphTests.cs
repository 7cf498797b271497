using Cetus.Client.Dynamic;
using Cetus.Controllers.GarbageCollector;
using k8s.Models;
using Xunit;

namespace Cetus.Controllers.Tests.GarbageCollector;

/// <summary>How informer events change the graph and what they queue.</summary>
public sealed class DependencyGraphTests
{
    private readonly List<string> _deletes = [];
    private readonly List<string> _orphans = [];
    private readonly DependencyGraph _graph;

    public DependencyGraphTests() => _graph = new DependencyGraph(_deletes.Add, _orphans.Add);

    [Fact]
    public void DependentBeforeOwner_VirtualOwnerQueued_ThenObservedAsReal()
    {
        _graph.OnUpsert(null, Item("Pod", "pod-a", Owner("ReplicaSet", "web-1")));

        var owner = _graph.Get("uid-web-1")!;
        Assert.True(owner.Virtual);
        Assert.Equal(["uid-web-1"], _deletes);
        Assert.Equal("uid-pod-a", Assert.Single(owner.Dependents).Identity.Uid);

        _graph.OnUpsert(null, Item("ReplicaSet", "web-1"));

        Assert.False(_graph.Get("uid-web-1")!.Virtual);
        Assert.Equal(2, _graph.Count);
    }

    [Fact]
    public void OwnerDeleted_DependentsQueued_AndOwnerRecordedAbsent()
    {
        var rs = Item("ReplicaSet", "web-1");
        _graph.OnUpsert(null, rs);
        _graph.OnUpsert(null, Item("Pod", "pod-a", Owner("ReplicaSet", "web-1")));
        _graph.OnUpsert(null, Item("Pod", "pod-b", Owner("ReplicaSet", "web-1")));
        _deletes.Clear();

        _graph.OnDelete(rs);

        Assert.Equal(["uid-pod-a", "uid-pod-b"], _deletes.Order(StringComparer.Ordinal));
        Assert.Null(_graph.Get("uid-web-1"));
        Assert.True(_graph.IsKnownAbsent(new ObjectIdentity("apps/v1", "ReplicaSet", "default", "web-1", "uid-web-1")));
    }

    [Fact]
    public void ForegroundDeletionStarts_OwnerMarked_AndItsDependentsAndItselfQueued()
    {
        var rs = Item("ReplicaSet", "web-1");
        _graph.OnUpsert(null, rs);
        _graph.OnUpsert(null, Item("Pod", "pod-a", Owner("ReplicaSet", "web-1")));
        _deletes.Clear();

        var deleting = Item("ReplicaSet", "web-1");
        deleting.Metadata.DeletionTimestamp = DateTime.UtcNow;
        deleting.Metadata.Finalizers = ["foregroundDeletion"];
        _graph.OnUpsert(rs, deleting);

        Assert.True(_graph.Get("uid-web-1")!.DeletingDependents);
        Assert.Equal(["uid-pod-a", "uid-web-1"], _deletes);

        // A resync replays the same state: nothing new starts.
        _deletes.Clear();
        _graph.OnUpsert(deleting, deleting);
        Assert.Empty(_deletes);
    }

    [Fact]
    public void OrphanDeletionStarts_OwnerQueuedForOrphaning()
    {
        var deploy = Item("Deployment", "web");
        _graph.OnUpsert(null, deploy);
        var deleting = Item("Deployment", "web");
        deleting.Metadata.DeletionTimestamp = DateTime.UtcNow;
        deleting.Metadata.Finalizers = ["orphan"];

        _graph.OnUpsert(deploy, deleting);

        Assert.Equal(["uid-web"], _orphans);
    }

    [Fact]
    public void BlockingReferenceRemoved_FromADependentOfAForegroundOwner_QueuesTheOwner()
    {
        var owner = Item("ReplicaSet", "web-1");
        owner.Metadata.DeletionTimestamp = DateTime.UtcNow;
        owner.Metadata.Finalizers = ["foregroundDeletion"];
        _graph.OnUpsert(null, owner);
        var pod = Item("Pod", "pod-a", Owner("ReplicaSet", "web-1"));
        _graph.OnUpsert(null, pod);
        _deletes.Clear();

        _graph.OnUpsert(pod, Item("Pod", "pod-a"));

        Assert.Equal(["uid-web-1"], _deletes);
        Assert.Empty(_graph.Get("uid-web-1")!.Dependents);
    }

    [Fact]
    public void OwnerInAnotherNamespace_TheDependentIsQueuedForVerification()
    {
        _graph.OnUpsert(null, Item("ConfigMap", "parent", ns: "a"));
        _deletes.Clear();

        _graph.OnUpsert(null, Item("ConfigMap", "child", Owner("ConfigMap", "parent", "v1"), ns: "b"));

        Assert.Equal(["uid-child"], _deletes);
    }

    [Fact]
    public void VirtualDelete_OfARealNodeWithOtherCoordinates_KeepsIt_ButRequeuesTheMismatchedDependents()
    {
        _graph.OnUpsert(null, Item("ConfigMap", "parent", ns: "a"));
        _graph.OnUpsert(null, Item("ConfigMap", "child", Owner("ConfigMap", "parent", "v1"), ns: "b"));
        _deletes.Clear();

        _graph.OnVirtualDelete(new ObjectIdentity("v1", "ConfigMap", "b", "parent", "uid-parent"));

        Assert.NotNull(_graph.Get("uid-parent"));
        Assert.Equal(["uid-child"], _deletes);
        Assert.True(_graph.IsKnownAbsent(new ObjectIdentity("v1", "ConfigMap", "b", "parent", "uid-parent")));
    }

    private static V1OwnerReference Owner(string kind, string name, string apiVersion = "apps/v1") =>
        new() { ApiVersion = apiVersion, Kind = kind, Name = name, Uid = "uid-" + name, Controller = true, BlockOwnerDeletion = true };

    private static PartialObject Item(string kind, string name, V1OwnerReference? owner = null, string ns = "default") => new()
    {
        ApiVersion = kind is "Pod" or "ConfigMap" ? "v1" : "apps/v1",
        Kind = kind,
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = "uid-" + name, OwnerReferences = owner is null ? null : [owner] },
    };
}
