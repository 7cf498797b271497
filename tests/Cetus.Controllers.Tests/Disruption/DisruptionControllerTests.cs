using Cetus.Client.Informers;
using Cetus.Controllers.Disruption;
using k8s.Models;
using Xunit;
using static Cetus.Controllers.Tests.Builders;

namespace Cetus.Controllers.Tests.Disruption;

public sealed class DisruptionControllerTests
{
    private readonly Indexer<V1PodDisruptionBudget> _pdbs = new();
    private readonly Indexer<V1Pod> _pods = new();
    private readonly Indexer<V1ReplicaSet> _replicaSets = new();
    private readonly Indexer<V1Deployment> _deployments = new();
    private readonly RecordingClient _client = new();
    private readonly FakeEvents _events = new();
    private readonly ManualTime _time = new();

    private DisruptionController Controller() => new(_pdbs, _pods, _replicaSets, _deployments, _client, _events, _time);

    [Fact]
    public async Task IntegerMinAvailable_ExpectsThePodsThere_AndAllowsTheHealthyAboveIt()
    {
        _pdbs.Upsert(Pdb(minAvailable: 1, generation: 3));
        _pods.Upsert(Pod("a", ready: true));
        _pods.Upsert(Pod("b", ready: true));
        _pods.Upsert(Pod("c", ready: false));
        _pods.Upsert(Pod("other", labels: new() { ["app"] = "db" }, ready: true));

        await Controller().SyncAsync("default/web", CancellationToken.None);

        var status = Assert.Single(_client.Updated).Status;
        Assert.Equal((3, 2, 1, 1, 3L), (status.ExpectedPods, status.CurrentHealthy, status.DesiredHealthy, status.DisruptionsAllowed, status.ObservedGeneration));
        var condition = Assert.Single(status.Conditions);
        Assert.Equal(("DisruptionAllowed", "True", "SufficientPods", 3L), (condition.Type, condition.Status, condition.Reason, condition.ObservedGeneration));
        Assert.Equal(_time.GetUtcNow().UtcDateTime, condition.LastTransitionTime);
    }

    [Fact]
    public async Task MaxUnavailable_ExpectsTheDeploymentsReplicas_ThroughItsReplicaSet()
    {
        var deployment = Deploy(4);
        var rs = Rs("web-abc", 4);
        rs.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "web", Uid = deployment.Metadata.Uid, Controller = true }];
        _deployments.Upsert(deployment);
        _replicaSets.Upsert(rs);
        foreach (var name in new[] { "a", "b", "c" })
        {
            _pods.Upsert(Pod(name, owner: rs, ready: true));
        }

        _pdbs.Upsert(Pdb(maxUnavailable: 1));

        await Controller().SyncAsync("default/web", CancellationToken.None);

        var status = Assert.Single(_client.Updated).Status;
        Assert.Equal((4, 3, 3, 0), (status.ExpectedPods, status.CurrentHealthy, status.DesiredHealthy, status.DisruptionsAllowed));
        var condition = Assert.Single(status.Conditions);
        Assert.Equal(("False", "InsufficientPods"), (condition.Status, condition.Reason));
    }

    [Fact]
    public async Task PercentMinAvailable_RoundsUpOverTheReplicaSetsScale()
    {
        var rs = Rs("web-abc", 3);
        _replicaSets.Upsert(rs);
        foreach (var name in new[] { "a", "b", "c" })
        {
            _pods.Upsert(Pod(name, owner: rs, ready: true));
        }

        _pdbs.Upsert(Pdb(minAvailable: "50%"));

        await Controller().SyncAsync("default/web", CancellationToken.None);

        var status = Assert.Single(_client.Updated).Status;
        Assert.Equal((3, 3, 2, 1), (status.ExpectedPods, status.CurrentHealthy, status.DesiredHealthy, status.DisruptionsAllowed));
    }

    [Fact]
    public async Task PercentWithUnmanagedPods_WarnsAndLeavesThemOutOfTheExpectedCount()
    {
        _pods.Upsert(Pod("bare", ready: true));
        _pdbs.Upsert(Pdb(maxUnavailable: "50%"));

        await Controller().SyncAsync("default/web", CancellationToken.None);

        var status = Assert.Single(_client.Updated).Status;
        Assert.Equal((0, 1, 0, 0), (status.ExpectedPods, status.CurrentHealthy, status.DesiredHealthy, status.DisruptionsAllowed));
        Assert.Contains(_events.Recorded, e => e.StartsWith("Warning UnmanagedPods Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app:web},", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoPods_RecordsNoPods_AndAllowsNothing()
    {
        _pdbs.Upsert(Pdb(maxUnavailable: 1));

        await Controller().SyncAsync("default/web", CancellationToken.None);

        var status = Assert.Single(_client.Updated).Status;
        Assert.Equal((0, 0, 0), (status.ExpectedPods, status.CurrentHealthy, status.DisruptionsAllowed));
        Assert.Contains("Normal NoPods No matching pods found", _events.Recorded);
    }

    [Fact]
    public async Task AControllerNotFound_IsASyncFailure_ThatAllowsNoDisruption()
    {
        var pdb = Pdb(minAvailable: "50%");
        pdb.Status = new V1PodDisruptionBudgetStatus { DisruptionsAllowed = 2, CurrentHealthy = 3, DesiredHealthy = 1, ExpectedPods = 3 };
        _pdbs.Upsert(pdb);
        _pods.Upsert(Pod("a", owner: Rs("gone", 3), ready: true));

        await Controller().SyncAsync("default/web", CancellationToken.None);

        var status = Assert.Single(_client.Updated).Status;
        Assert.Equal(0, status.DisruptionsAllowed);
        var condition = Assert.Single(status.Conditions);
        Assert.Equal(("False", "SyncFailed", "found no controllers for pod \"a\""), (condition.Status, condition.Reason, condition.Message));
    }

    [Fact]
    public async Task AnUpToDateStatus_IsNotWrittenAgain()
    {
        _pdbs.Upsert(Pdb(minAvailable: 1));
        _pods.Upsert(Pod("a", ready: true));
        _pods.Upsert(Pod("b", ready: true));
        var controller = Controller();
        await controller.SyncAsync("default/web", CancellationToken.None);
        _pdbs.Upsert(_client.Updated[0]);

        await controller.SyncAsync("default/web", CancellationToken.None);

        Assert.Single(_client.Updated);
    }

    [Fact]
    public async Task ADisruptedPod_IsNotHealthyForTwoMinutes_ThenDroppedWithNotDeleted_AndAGonePodIsDroppedAtOnce()
    {
        var evictedAt = _time.GetUtcNow().UtcDateTime;
        var pdb = Pdb(minAvailable: 1);
        pdb.Status = new V1PodDisruptionBudgetStatus { DisruptedPods = new Dictionary<string, DateTime?> { ["a"] = evictedAt, ["gone"] = evictedAt } };
        _pdbs.Upsert(pdb);
        _pods.Upsert(Pod("a", ready: true));
        _pods.Upsert(Pod("b", ready: true));
        _pods.Upsert(Pod("c", ready: true));
        var controller = Controller();

        _time.Advance(TimeSpan.FromSeconds(30));
        await controller.SyncAsync("default/web", CancellationToken.None);

        var first = _client.Updated[^1].Status;
        Assert.Equal((2, 1), (first.CurrentHealthy, first.DisruptionsAllowed));
        Assert.Equal(["a"], first.DisruptedPods.Keys);

        _pdbs.Upsert(_client.Updated[^1]);
        _time.Advance(TimeSpan.FromSeconds(91));
        await controller.SyncAsync("default/web", CancellationToken.None);

        var second = _client.Updated[^1].Status;
        Assert.Equal((3, 2), (second.CurrentHealthy, second.DisruptionsAllowed));
        Assert.Null(second.DisruptedPods);
        Assert.Contains("Warning NotDeleted Pod was expected by PDB default/web to be deleted but it wasn't", _events.Recorded);
    }

    [Fact]
    public void PodEvents_QueueThePdbThatSelectsThePod_AndWarnWhenSeveralDo()
    {
        var pdbs = new SharedInformer<V1PodDisruptionBudget>(new NoListWatch<V1PodDisruptionBudget>(), TimeSpan.Zero);
        var pods = new SharedInformer<V1Pod>(new NoListWatch<V1Pod>(), TimeSpan.Zero);
        var controller = new DisruptionController(pdbs.Store, pods.Store, _replicaSets, _deployments, _client, _events, _time);
        pdbs.Store.Upsert(Pdb(minAvailable: 1));
        var second = Pdb(minAvailable: 1);
        second.Metadata.Name = "web-too";
        pdbs.Store.Upsert(second);
        pods.Store.Upsert(Pod("a"));
        pods.Store.Upsert(Pod("db", labels: new() { ["app"] = "db" }));

        controller.Register(pdbs, pods);

        Assert.Equal(2, controller.Queue.Length);
        Assert.Contains("Warning MultiplePodDisruptionBudgets Pod \"default\"/\"a\" matches multiple PodDisruptionBudgets.  Chose \"web\" arbitrarily.", _events.Recorded);
    }

    private static V1PodDisruptionBudget Pdb(IntOrString? minAvailable = null, IntOrString? maxUnavailable = null, long generation = 1) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = Ns, Uid = "uid-pdb", Generation = generation, ResourceVersion = "5" },
        Spec = new V1PodDisruptionBudgetSpec
        {
            MinAvailable = minAvailable,
            MaxUnavailable = maxUnavailable,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
        },
        Status = new V1PodDisruptionBudgetStatus(),
    };

    private sealed class RecordingClient : IDisruptionClient
    {
        public List<V1PodDisruptionBudget> Updated { get; } = [];

        public Task UpdateStatusAsync(V1PodDisruptionBudget pdb, CancellationToken cancellationToken)
        {
            Updated.Add(pdb);
            return Task.CompletedTask;
        }
    }
}
