using Cetus.Client;
using Cetus.Controllers.Common;
using Cetus.Controllers.ReplicaSet;
using k8s.Models;
using Xunit;
using static Cetus.Controllers.Tests.Builders;

namespace Cetus.Controllers.Tests.ReplicaSet;

public sealed class ReplicaSetControllerTests
{
    private readonly FakeClient _client = new();
    private readonly FakeEvents _events = new();
    private readonly ReplicaSetController _controller;

    public ReplicaSetControllerTests() =>
        _controller = new ReplicaSetController(_client.ReplicaSets, _client.Pods, _client, _events, _client.Time);

    [Fact]
    public async Task Sync_CreatesMissingPods_WithGenerateNameOwnerReferenceAndTemplateLabels()
    {
        var rs = Rs("web-abc", 3);
        _client.ReplicaSets.Upsert(rs);

        await _controller.SyncAsync("default/web-abc", CancellationToken.None);

        var pods = _client.Pods.List();
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p =>
        {
            Assert.StartsWith("web-abc-", p.Metadata.Name, StringComparison.Ordinal);
            Assert.Equal("web", p.Metadata.Labels["app"]);
            var owner = Assert.Single(p.Metadata.OwnerReferences);
            Assert.Equal(("ReplicaSet", "web-abc", "uid-web-abc", true, true), (owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        });
        Assert.Equal(3, _events.Recorded.Count(e => e.StartsWith("Normal SuccessfulCreate Created pod: web-abc-", StringComparison.Ordinal)));

        // As upstream, status counts the pods the sync started with; the next sync (woken by the pod events) counts the new ones.
        Assert.Equal(0, _client.ReplicaSets.Get("default/web-abc")!.Status.Replicas);
        await _controller.SyncAsync("default/web-abc", CancellationToken.None);
        var status = _client.ReplicaSets.Get("default/web-abc")!.Status;
        Assert.Equal((3, 3, 0, 0, 1L), (status.Replicas, status.FullyLabeledReplicas ?? 0, status.ReadyReplicas ?? 0, status.AvailableReplicas ?? 0, status.ObservedGeneration ?? 0));
    }

    [Fact]
    public async Task Sync_WhileCreationsAreUnobserved_DoesNotCreateTwice()
    {
        _client.Watching = false;
        _client.ReplicaSets.Upsert(Rs("web-abc", 4));

        await _controller.SyncAsync("default/web-abc", CancellationToken.None);
        await _controller.SyncAsync("default/web-abc", CancellationToken.None);

        Assert.Equal(4, _client.Actions.Count(a => a.StartsWith("create-pod ", StringComparison.Ordinal)));
        Assert.Equal((4, 0), _controller.Expectations.Pending("default/web-abc"));
        Assert.False(_controller.Expectations.Satisfied("default/web-abc"));
    }

    [Fact]
    public async Task Sync_ExpectationsExpireAfterFiveMinutes()
    {
        _client.Watching = false;
        _client.ReplicaSets.Upsert(Rs("web-abc", 2));
        await _controller.SyncAsync("default/web-abc", CancellationToken.None);

        _client.Time.Advance(ControllerExpectations.Timeout + TimeSpan.FromSeconds(1));
        await _controller.SyncAsync("default/web-abc", CancellationToken.None);

        Assert.Equal(4, _client.Actions.Count(a => a.StartsWith("create-pod ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Sync_FailingCreates_StopAfterTheFirstFailedBatch_AndLowerExpectations()
    {
        // Batches 1, 2, 4, …: the second creation fails, so the batch of 2 is the last one tried.
        _client.FailCreatesFrom = 2;
        _client.ReplicaSets.Upsert(Rs("web-abc", 10));

        await Assert.ThrowsAnyAsync<Exception>(() => _controller.SyncAsync("default/web-abc", CancellationToken.None));

        Assert.Equal(3, _client.Actions.Count(a => a.StartsWith("create-pod", StringComparison.Ordinal)));
        // Only the one pod that was created is still awaited from the watch.
        Assert.Equal((1, 0), _controller.Expectations.Pending("default/web-abc"));
        var condition = Assert.Single(_client.ReplicaSets.Get("default/web-abc")!.Status.Conditions);
        Assert.Equal(("ReplicaFailure", "True", "FailedCreate"), (condition.Type, condition.Status, condition.Reason));
        Assert.Contains(_events.Recorded, e => e.StartsWith("Warning FailedCreate Error creating: exceeded quota", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sync_SlowStart_CreatesInBatchesOfOneTwoFour()
    {
        var batches = new List<int>();
        var (created, error) = await SlowStart.RunAsync(
            10,
            _ =>
            {
                lock (batches)
                {
                    batches.Add(1);
                }

                return Task.FromResult<Exception?>(null);
            },
            CancellationToken.None);
        Assert.Equal((10, null), (created, error));

        // The sizes themselves: 1 + 2 + 4 + 3 (what remains).
        var sizes = new List<int>();
        var remaining = 10;
        for (var batch = Math.Min(remaining, SlowStart.InitialBatchSize); batch > 0; batch = Math.Min(2 * batch, remaining))
        {
            sizes.Add(batch);
            remaining -= batch;
        }

        Assert.Equal([1, 2, 4, 3], sizes);
    }

    [Fact]
    public async Task Sync_AdoptsMatchingOrphans_AndReleasesOwnedPodsThatNoLongerMatch()
    {
        var rs = Rs("web-abc", 2);
        _client.ReplicaSets.Upsert(rs);
        _client.Pods.Upsert(Pod("orphan"));
        _client.Pods.Upsert(Pod("relabelled", labels: new Dictionary<string, string> { ["app"] = "other" }, owner: rs));
        _client.Pods.Upsert(Pod("owned", owner: rs));

        await _controller.SyncAsync("default/web-abc", CancellationToken.None);

        Assert.True(OwnerReferences.IsControlledBy(_client.Pods.Get("default/orphan")!.Metadata, "uid-web-abc"));
        Assert.Null(OwnerReferences.ControllerOf(_client.Pods.Get("default/relabelled")!.Metadata));
        Assert.DoesNotContain(_client.Actions, a => a.StartsWith("create-pod", StringComparison.Ordinal));
        Assert.Equal(2, _client.ReplicaSets.Get("default/web-abc")!.Status.Replicas);
    }

    [Fact]
    public async Task Sync_PodsOfAnotherController_AreLeftAlone()
    {
        var rs = Rs("web-abc", 1);
        var other = Rs("web-other", 1);
        _client.ReplicaSets.Upsert(rs);
        _client.Pods.Upsert(Pod("theirs", owner: other));

        await _controller.SyncAsync("default/web-abc", CancellationToken.None);

        Assert.Equal("uid-web-other", OwnerReferences.ControllerOf(_client.Pods.Get("default/theirs")!.Metadata)!.Uid);
        Assert.Single(_client.Actions, a => a.StartsWith("create-pod", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sync_ScaleDown_DeletesTheLeastValuablePods()
    {
        var rs = Rs("web-abc", 2);
        _client.ReplicaSets.Upsert(rs);
        _client.Pods.Upsert(Pod("ready-old", owner: rs, ready: true));
        _client.Pods.Upsert(Pod("ready-new", owner: rs, ready: true, created: new DateTime(2026, 1, 1, 0, 5, 0, DateTimeKind.Utc)));
        _client.Pods.Upsert(Pod("pending", owner: rs, phase: "Pending"));
        _client.Pods.Upsert(Pod("unassigned", owner: rs, phase: "Pending", node: null));

        await _controller.SyncAsync("default/web-abc", CancellationToken.None);

        Assert.Equal(["delete-pod default/pending", "delete-pod default/unassigned"], _client.Actions.Where(a => a.StartsWith("delete-pod", StringComparison.Ordinal)).Order());
        Assert.Equal(2, _client.Pods.Count);
    }

    [Fact]
    public async Task Sync_Status_CountsAvailableOnlyAfterMinReadySeconds()
    {
        var rs = Rs("web-abc", 2);
        rs.Spec.MinReadySeconds = 30;
        _client.ReplicaSets.Upsert(rs);
        var now = _client.Time.GetUtcNow().UtcDateTime;
        _client.Pods.Upsert(Pod("long-ready", owner: rs, ready: true, readySince: now.AddMinutes(-5)));
        _client.Pods.Upsert(Pod("just-ready", owner: rs, ready: true, readySince: now.AddSeconds(-5)));

        await _controller.SyncAsync("default/web-abc", CancellationToken.None);

        var status = _client.ReplicaSets.Get("default/web-abc")!.Status;
        Assert.Equal((2, 2, 1), (status.Replicas, status.ReadyReplicas ?? 0, status.AvailableReplicas ?? 0));
    }

    [Fact]
    public async Task Sync_DeletedReplicaSet_ForgetsItsExpectations()
    {
        _client.Watching = false;
        _client.ReplicaSets.Upsert(Rs("web-abc", 2));
        await _controller.SyncAsync("default/web-abc", CancellationToken.None);
        _client.ReplicaSets.Remove("default/web-abc");

        await _controller.SyncAsync("default/web-abc", CancellationToken.None);

        Assert.True(_controller.Expectations.Satisfied("default/web-abc"));
    }

    [Fact]
    public void PodFromTemplate_CopiesTemplateAnnotationsAndSpec()
    {
        var rs = Rs("web-abc", 1);
        rs.Spec.Template.Metadata.Annotations = new Dictionary<string, string> { ["a"] = "b" };

        var pod = ReplicaSetController.PodFromTemplate(rs);

        Assert.Equal(("web-abc-", "b", "nginx:1.27"), (pod.Metadata.GenerateName, pod.Metadata.Annotations["a"], pod.Spec.Containers[0].Image));
        Assert.Null(pod.Metadata.Name);
    }

    [Fact]
    public void ObjectKeys_SplitAndJoin()
    {
        Assert.Equal("ns/name", ObjectKeys.For("ns", "name"));
        Assert.Equal(("ns", "name"), ObjectKeys.Split("ns/name"));
        Assert.Equal((string.Empty, "node"), ObjectKeys.Split("node"));
    }
}
