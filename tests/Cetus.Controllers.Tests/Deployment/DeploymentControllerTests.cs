using Cetus.Client;
using Cetus.Controllers.Deployment;
using k8s.Models;
using Xunit;
using static Cetus.Controllers.Tests.Builders;

namespace Cetus.Controllers.Tests.Deployment;

public sealed class DeploymentControllerTests
{
    private const string Key = "default/web";
    private readonly FakeClient _client = new();
    private readonly FakeEvents _events = new();
    private readonly DeploymentController _controller;

    public DeploymentControllerTests() =>
        _controller = new DeploymentController(_client.Deployments, _client.ReplicaSets, _client.Pods, _client, _events, _client.Time);

    [Theory]
    [InlineData("25%", "25%", 10, 3, 2)]
    [InlineData("25%", "25%", 1, 1, 0)]
    [InlineData("0", "0", 5, 0, 1)]
    [InlineData("1", "0", 3, 1, 0)]
    [InlineData("50%", "50%", 3, 2, 1)]
    [InlineData("10%", "10%", 5, 1, 0)]
    [InlineData("0%", "0%", 5, 0, 1)]
    public void ResolveFenceposts_SurgeRoundsUp_UnavailableRoundsDown(string surge, string unavailable, int replicas, int expectedSurge, int expectedUnavailable)
    {
        Assert.Equal((expectedSurge, expectedUnavailable), DeploymentUtil.ResolveFenceposts(surge, unavailable, replicas));
    }

    [Fact]
    public async Task Sync_NewDeployment_CreatesOneReplicaSetWithHashLabelSelectorRevisionAndEvent()
    {
        _client.Deployments.Upsert(Deploy(3));

        await _controller.SyncAsync(Key, CancellationToken.None);

        var rs = Assert.Single(_client.ReplicaSets.List());
        var hash = rs.Spec.Template.Metadata.Labels[DeploymentUtil.PodTemplateHashLabel];
        Assert.Equal("web-" + hash, rs.Metadata.Name);
        Assert.Equal(hash, rs.Spec.Selector.MatchLabels[DeploymentUtil.PodTemplateHashLabel]);
        Assert.Equal(hash, rs.Metadata.Labels[DeploymentUtil.PodTemplateHashLabel]);
        Assert.Equal(3, rs.Spec.Replicas);
        Assert.Equal(("1", "3", "4"), (rs.Metadata.Annotations[DeploymentUtil.RevisionAnnotation], rs.Metadata.Annotations[DeploymentUtil.DesiredReplicasAnnotation], rs.Metadata.Annotations[DeploymentUtil.MaxReplicasAnnotation]));
        var owner = Assert.Single(rs.Metadata.OwnerReferences);
        Assert.Equal(("Deployment", "web", "uid-web", true), (owner.Kind, owner.Name, owner.Uid, owner.Controller));
        Assert.Contains($"Normal ScalingReplicaSet Scaled up replica set {rs.Metadata.Name} from 0 to 3", _events.Recorded);

        var d = _client.Deployments.Get(Key)!;
        Assert.Equal("1", d.Metadata.Annotations[DeploymentUtil.RevisionAnnotation]);
        var progressing = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing)!;
        Assert.Equal(("True", "NewReplicaSetCreated"), (progressing.Status, progressing.Reason));
        Assert.Equal($"Created new replica set \"{rs.Metadata.Name}\"", progressing.Message);
    }

    [Fact]
    public void ComputeHash_DependsOnTemplateAndCollisionCount()
    {
        var a = DeploymentUtil.ComputeHash(Template("v1"), null);
        Assert.Equal(a, DeploymentUtil.ComputeHash(Template("v1"), null));
        Assert.NotEqual(a, DeploymentUtil.ComputeHash(Template("v2"), null));
        Assert.NotEqual(a, DeploymentUtil.ComputeHash(Template("v1"), 1));
        Assert.All(a, c => Assert.Contains(c, "bcdfghjklmnpqrstvwxz2456789"));
    }

    [Theory]
    [InlineData(10, "25%", "25%")]
    [InlineData(10, "3", "0")]
    [InlineData(10, "0", "3")]
    [InlineData(3, "1", "0")]
    [InlineData(5, "50%", "0")]
    [InlineData(4, "0", "100%")]
    [InlineData(7, "2", "2")]
    public async Task RollingUpdate_NeverExceedsSurge_NorDropsBelowMinAvailable(int replicas, string maxSurge, string maxUnavailable)
    {
        var (surge, unavailable) = DeploymentUtil.ResolveFenceposts(maxSurge, maxUnavailable, replicas);
        var d = Deploy(replicas, Template("v2"), maxSurge: maxSurge, maxUnavailable: maxUnavailable);
        _client.Deployments.Upsert(d);
        _client.ReplicaSets.Upsert(OwnedOld("web-old", replicas, "v1", revision: 1, desired: replicas, max: replicas + surge));

        for (var step = 0; ; step++)
        {
            Assert.True(step < 100, "the rollout did not finish in 100 steps");
            await _controller.SyncAsync(Key, CancellationToken.None);

            // Pods deleted by a scale-down are gone at once; pods created appear (and are counted) now.
            foreach (var rs in _client.ReplicaSets.List())
            {
                var copy = Objects.Clone(rs);
                copy.Status.Replicas = copy.Spec.Replicas ?? 0;
                copy.Status.AvailableReplicas = Math.Min(copy.Status.AvailableReplicas ?? 0, copy.Spec.Replicas ?? 0);
                copy.Status.ReadyReplicas = copy.Status.AvailableReplicas;
                _client.ReplicaSets.Upsert(copy);
            }

            var all = _client.ReplicaSets.List();
            Assert.True(all.Sum(rs => rs.Spec.Replicas ?? 0) <= replicas + surge, $"step {step}: more than {replicas}+{surge} pods");
            Assert.True(all.Sum(rs => rs.Status.AvailableReplicas ?? 0) >= replicas - unavailable, $"step {step}: fewer than {replicas}-{unavailable} available");

            var newRs = all.SingleOrDefault(rs => rs.Metadata.Name != "web-old");
            if (newRs is not null && newRs.Spec.Replicas == replicas && newRs.Status.AvailableReplicas == replicas && _client.ReplicaSets.Get("default/web-old")!.Spec.Replicas == 0)
            {
                break;
            }

            // The new pods become ready and available.
            foreach (var rs in all)
            {
                var copy = Objects.Clone(rs);
                copy.Status.AvailableReplicas = copy.Spec.Replicas;
                copy.Status.ReadyReplicas = copy.Spec.Replicas;
                copy.Status.ObservedGeneration = copy.Metadata.Generation;
                _client.ReplicaSets.Upsert(copy);
            }
        }

        // One more sync reports the finished rollout.
        await _controller.SyncAsync(Key, CancellationToken.None);
        var status = _client.Deployments.Get(Key)!.Status;
        Assert.Equal((replicas, replicas, replicas), (status.Replicas ?? 0, status.UpdatedReplicas ?? 0, status.AvailableReplicas ?? 0));
        Assert.Equal("2", _client.Deployments.Get(Key)!.Metadata.Annotations[DeploymentUtil.RevisionAnnotation]);
        var progressing = DeploymentConditions.Get(status, DeploymentConditions.Progressing)!;
        Assert.Equal("NewReplicaSetAvailable", progressing.Reason);
        Assert.Matches("^ReplicaSet \"web-[a-z0-9]+\" has successfully progressed\\.$", progressing.Message);
        Assert.Equal(("True", "MinimumReplicasAvailable", "Deployment has minimum availability."), Condition(status, DeploymentConditions.Available));
    }

    [Fact]
    public async Task Scale_DuringRollout_SharesTheDifferenceProportionally()
    {
        // Mid-rollout at 10 replicas (surge 3): old 8, new 5; the user scales to 20 (surge stays 3): 10 more to share.
        var d = Deploy(20, Template("v2"), maxSurge: 3, maxUnavailable: 2);
        d.Status = new V1DeploymentStatus { Replicas = 13 };
        _client.Deployments.Upsert(d);
        _client.ReplicaSets.Upsert(OwnedOld("web-old", 8, "v1", revision: 1, desired: 10, max: 13));
        var hash = DeploymentUtil.ComputeHash(Template("v2"), null);
        var newRs = OwnedOld("web-" + hash, 5, "v2", revision: 2, desired: 10, max: 13);
        newRs.Metadata.CreationTimestamp = newRs.Metadata.CreationTimestamp!.Value.AddMinutes(1);
        _client.ReplicaSets.Upsert(newRs);

        await _controller.SyncAsync(Key, CancellationToken.None);

        Assert.Equal(14, _client.ReplicaSets.Get("default/web-old")!.Spec.Replicas);
        Assert.Equal(9, _client.ReplicaSets.Get("default/web-" + hash)!.Spec.Replicas);
        Assert.All(_client.ReplicaSets.List(), rs => Assert.Equal(("20", "23"), (rs.Metadata.Annotations[DeploymentUtil.DesiredReplicasAnnotation], rs.Metadata.Annotations[DeploymentUtil.MaxReplicasAnnotation])));
        Assert.Contains("Normal ScalingReplicaSet Scaled up replica set web-old from 8 to 14", _events.Recorded);
    }

    [Fact]
    public async Task Recreate_ScalesOldToZero_AndCreatesTheNewOnlyWhenOldPodsAreGone()
    {
        _client.Deployments.Upsert(Deploy(3, Template("v2"), strategy: "Recreate"));
        var old = OwnedOld("web-old", 3, "v1", revision: 1, desired: 3, max: 3);
        _client.ReplicaSets.Upsert(old);
        _client.Pods.Upsert(Pod("old-1", owner: old));

        await _controller.SyncAsync(Key, CancellationToken.None);
        Assert.Equal(0, _client.ReplicaSets.Get("default/web-old")!.Spec.Replicas);
        Assert.Single(_client.ReplicaSets.List());

        // The old ReplicaSet reports no replicas, but one of its pods still runs: wait.
        var scaled = Objects.Clone(_client.ReplicaSets.Get("default/web-old")!);
        scaled.Status.Replicas = 0;
        _client.ReplicaSets.Upsert(scaled);
        await _controller.SyncAsync(Key, CancellationToken.None);
        Assert.Single(_client.ReplicaSets.List());

        _client.Pods.Remove("default/old-1");
        await _controller.SyncAsync(Key, CancellationToken.None);
        var created = Assert.Single(_client.ReplicaSets.List(), rs => rs.Metadata.Name != "web-old");
        Assert.Equal(3, created.Spec.Replicas);
    }

    [Fact]
    public async Task Paused_TemplateChange_CreatesNoReplicaSet_AndSaysPaused()
    {
        var d = Deploy(3, Template("v2"));
        d.Spec.Paused = true;
        _client.Deployments.Upsert(d);
        _client.ReplicaSets.Upsert(OwnedOld("web-old", 3, "v1", revision: 1, desired: 3, max: 4));

        await _controller.SyncAsync(Key, CancellationToken.None);

        Assert.Single(_client.ReplicaSets.List());
        Assert.Equal(("Unknown", "DeploymentPaused", "Deployment is paused"), Condition(_client.Deployments.Get(Key)!.Status, DeploymentConditions.Progressing));

        var resumed = Objects.Clone(_client.Deployments.Get(Key)!);
        resumed.Spec.Paused = false;
        _client.Deployments.Upsert(resumed);
        await _controller.SyncAsync(Key, CancellationToken.None);

        Assert.Equal(2, _client.ReplicaSets.Count);
        Assert.Contains("Created new replica set", _client.Deployments.Get(Key)!.Status.Conditions.Single(c => c.Type == "Progressing").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paused_Scale_ScalesTheActiveReplicaSet()
    {
        var d = Deploy(5);
        d.Spec.Paused = true;
        _client.Deployments.Upsert(d);
        var hash = DeploymentUtil.ComputeHash(Template(), null);
        _client.ReplicaSets.Upsert(OwnedOld("web-" + hash, 3, "nginx:1.27", revision: 1, desired: 3, max: 4));

        await _controller.SyncAsync(Key, CancellationToken.None);

        Assert.Equal(5, _client.ReplicaSets.Get("default/web-" + hash)!.Spec.Replicas);
    }

    [Fact]
    public async Task Complete_DeletesOldReplicaSetsBeyondRevisionHistoryLimit()
    {
        var d = Deploy(2);
        d.Spec.RevisionHistoryLimit = 1;
        _client.Deployments.Upsert(d);
        for (var revision = 1; revision <= 3; revision++)
        {
            _client.ReplicaSets.Upsert(OwnedOld($"web-r{revision}", 0, $"v{revision}", revision, desired: 2, max: 3));
        }

        var hash = DeploymentUtil.ComputeHash(Template(), null);
        var current = OwnedOld("web-" + hash, 2, "nginx:1.27", revision: 4, desired: 2, max: 3);
        current.Status = new V1ReplicaSetStatus { Replicas = 2, ReadyReplicas = 2, AvailableReplicas = 2, ObservedGeneration = 1 };
        _client.ReplicaSets.Upsert(current);
        _client.Deployments.Upsert(WithStatus(d, new V1DeploymentStatus { Replicas = 2, UpdatedReplicas = 2, AvailableReplicas = 2, ReadyReplicas = 2, ObservedGeneration = 1 }));

        await _controller.SyncAsync(Key, CancellationToken.None);

        Assert.Equal(["delete-rs web-r1", "delete-rs web-r2"], _client.Actions.Where(a => a.StartsWith("delete-rs", StringComparison.Ordinal)));
        Assert.Equal("4", _client.Deployments.Get(Key)!.Metadata.Annotations[DeploymentUtil.RevisionAnnotation]);
    }

    [Fact]
    public async Task NoProgressPastTheDeadline_SetsProgressDeadlineExceeded()
    {
        var d = Deploy(2);
        d.Spec.ProgressDeadlineSeconds = 60;
        _client.Deployments.Upsert(d);
        await _controller.SyncAsync(Key, CancellationToken.None);
        var rsName = Assert.Single(_client.ReplicaSets.List()).Metadata.Name;

        _client.Time.Advance(TimeSpan.FromSeconds(61));
        await _controller.SyncAsync(Key, CancellationToken.None);

        var status = _client.Deployments.Get(Key)!.Status;
        Assert.Equal(("False", "ProgressDeadlineExceeded", $"ReplicaSet \"{rsName}\" has timed out progressing."), Condition(status, DeploymentConditions.Progressing));
    }

    [Fact]
    public async Task Sync_AdoptsAnOrphanReplicaSetThatMatchesTheSelector()
    {
        _client.Deployments.Upsert(Deploy(2));
        var orphan = Rs("web-orphan", 2, Template());
        orphan.Metadata.Labels = new Dictionary<string, string> { ["app"] = "web" };
        _client.ReplicaSets.Upsert(orphan);

        await _controller.SyncAsync(Key, CancellationToken.None);

        Assert.Contains("patch-rs web-orphan", _client.Actions);
        Assert.Single(_client.ReplicaSets.List());
    }

    private static (string?, string?, string?) Condition(V1DeploymentStatus status, string type) =>
        DeploymentConditions.Get(status, type) is { } c ? (c.Status, c.Reason, c.Message) : (null, null, null);

    private static V1Deployment WithStatus(V1Deployment d, V1DeploymentStatus status)
    {
        var copy = Objects.Clone(d);
        copy.Status = status;
        return copy;
    }

    private static V1ReplicaSet OwnedOld(string name, int replicas, string image, int revision, int desired, int max)
    {
        var template = Template(image);
        var rs = Rs(name, replicas, DeploymentUtil.TemplateWithHash(template, name));
        rs.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "web", Uid = "uid-web", Controller = true }];
        rs.Metadata.Labels = new Dictionary<string, string> { ["app"] = "web" };
        rs.Metadata.Annotations = new Dictionary<string, string>
        {
            [DeploymentUtil.RevisionAnnotation] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [DeploymentUtil.DesiredReplicasAnnotation] = desired.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [DeploymentUtil.MaxReplicasAnnotation] = max.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        rs.Status = new V1ReplicaSetStatus { Replicas = replicas, ReadyReplicas = replicas, AvailableReplicas = replicas, ObservedGeneration = 1 };
        return rs;
    }
}
