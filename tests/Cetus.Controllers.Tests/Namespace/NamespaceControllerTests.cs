using Cetus.Client;
using Cetus.Client.Informers;
using Cetus.Controllers.Namespace;
using k8s.Models;
using Xunit;
using static Cetus.Controllers.Tests.FakeDynamicClient;

namespace Cetus.Controllers.Tests.Namespace;

public sealed class NamespaceControllerTests
{
    private const string Ns = "team";
    private readonly FakeDynamicClient _api = new();
    private readonly FakeNamespaces _namespaces = new();
    private readonly Indexer<V1Namespace> _cache = new();
    private readonly ManualTime _time = new();
    private readonly NamespaceController _controller;

    public NamespaceControllerTests() => _controller = new NamespaceController(_cache, _namespaces, _api, _time);

    [Fact]
    public async Task Terminating_DeletesEveryNamespacedResource_ThenFinalizes()
    {
        Terminating();
        _api.Add(ConfigMaps, Ns, "settings");
        _api.Add(Pods, Ns, "web");
        _api.Add(Deployments, Ns, "web");
        _api.Add(ConfigMaps, "other", "untouched");

        await _controller.SyncAsync(Ns, default);

        Assert.Empty(_api.All(Pods));
        Assert.Empty(_api.All(Deployments));
        Assert.Equal(["untouched"], _api.All(ConfigMaps).Select(c => c.Metadata.Name));
        Assert.Contains($"deletecollection configmaps {Ns}", _api.Actions);
        Assert.DoesNotContain(_api.Actions, a => a.Contains("namespaces", StringComparison.Ordinal) || a.Contains("nodes", StringComparison.Ordinal));
        var finalized = Assert.Single(_namespaces.Finalized);
        Assert.Empty(finalized.Spec.Finalizers);
        var conditions = _namespaces.Current!.Status.Conditions.ToDictionary(c => c.Type);
        Assert.Equal(5, conditions.Count);
        Assert.All(conditions.Values, c => Assert.Equal("False", c.Status));
        Assert.Equal(("ContentRemoved", "All content successfully removed"), (conditions["NamespaceContentRemaining"].Reason, conditions["NamespaceContentRemaining"].Message));
        Assert.Equal(("ContentDeleted", "All content successfully deleted, may be waiting on finalization"), (conditions["NamespaceDeletionContentFailure"].Reason, conditions["NamespaceDeletionContentFailure"].Message));
    }

    [Fact]
    public async Task PartialDiscovery_DeletesWhatWasFound_ButDoesNotFinalize_UntilEveryGroupAnswers()
    {
        Terminating();
        _api.Add(ConfigMaps, Ns, "settings");
        _api.Add(Deployments, Ns, "web");
        _api.FailingGroups["apps/v1"] = "the server is currently unable to handle the request";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _controller.SyncAsync(Ns, default));

        Assert.Contains("apps/v1", error.Message, StringComparison.Ordinal);
        Assert.Empty(_api.All(ConfigMaps));
        Assert.Single(_api.All(Deployments));
        Assert.Empty(_namespaces.Finalized);
        var failure = _namespaces.Current!.Status.Conditions.Single(c => c.Type == "NamespaceDeletionDiscoveryFailure");
        Assert.Equal(("True", "DiscoveryFailed"), (failure.Status, failure.Reason));
        Assert.Contains("1 failing", failure.Message, StringComparison.Ordinal);

        _api.FailingGroups.Clear();
        await _controller.SyncAsync(Ns, default);
        Assert.Empty(_api.All(Deployments));
        Assert.Single(_namespaces.Finalized);
    }

    [Fact]
    public async Task ContentWithFinalizers_NotFinalized_ConditionsSayWhatRemains()
    {
        Terminating();
        var kept = _api.Add(ConfigMaps, Ns, "kept");
        kept.Metadata.Finalizers = ["example.com/keep"];

        await _controller.SyncAsync(Ns, default);

        Assert.Empty(_namespaces.Finalized);
        var conditions = _namespaces.Current!.Status.Conditions.ToDictionary(c => c.Type);
        Assert.Equal(("True", "SomeResourcesRemain", "Some resources are remaining: configmaps. has 1 resource instances"),
            (conditions["NamespaceContentRemaining"].Status, conditions["NamespaceContentRemaining"].Reason, conditions["NamespaceContentRemaining"].Message));
        Assert.Equal(("True", "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: example.com/keep in 1 resource instances"),
            (conditions["NamespaceFinalizersRemaining"].Status, conditions["NamespaceFinalizersRemaining"].Reason, conditions["NamespaceFinalizersRemaining"].Message));

        // The finalizer goes; the next pass (after the estimate) finalizes.
        kept.Metadata.Finalizers = null;
        await _api.DeleteAsync(ConfigMaps, Ns, "kept", new V1DeleteOptions(), default);
        await _controller.SyncAsync(Ns, default);
        Assert.Single(_namespaces.Finalized);
    }

    [Fact]
    public async Task PodsTerminatingGracefully_WaitForTheirGracePeriod_ThenAnyLeftIsAnError()
    {
        Terminating();
        _api.Graceful.Add("bound");
        _api.Add(Pods, Ns, "bound");
        _namespaces.Pods.Add(new V1Pod { Metadata = new V1ObjectMeta { Name = "bound", NamespaceProperty = Ns }, Spec = new V1PodSpec { NodeName = "node-1", TerminationGracePeriodSeconds = 30 }, Status = new V1PodStatus { Phase = "Running" } });

        await _controller.SyncAsync(Ns, default);

        Assert.Empty(_namespaces.Finalized);
        Assert.NotNull(_api.Find(Pods, Ns, "bound")!.Metadata.DeletionTimestamp);
        Assert.Equal("Some resources are remaining: pods. has 1 resource instances", _namespaces.Current!.Status.Conditions.Single(c => c.Type == "NamespaceContentRemaining").Message);

        // Past the grace period and still there: the kubelet has not finished it, which is reported as a failure.
        _time.Advance(TimeSpan.FromSeconds(31));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _controller.SyncAsync(Ns, default));
        Assert.Contains("unexpected items still remain in namespace: team for gvr: /v1, Resource=pods", error.Message, StringComparison.Ordinal);
        Assert.Equal("True", _namespaces.Current!.Status.Conditions.Single(c => c.Type == "NamespaceDeletionContentFailure").Status);
        Assert.Empty(_namespaces.Finalized);

        // The kubelet finishes the pod: the namespace is finalized.
        _api.Graceful.Clear();
        await _api.MergePatchAsync(Pods, Ns, "bound", """{"metadata":{}}""", default);
        _namespaces.Pods.Clear();
        await _controller.SyncAsync(Ns, default);
        Assert.Single(_namespaces.Finalized);
        Assert.Equal("False", _namespaces.Current!.Status.Conditions.Single(c => c.Type == "NamespaceDeletionContentFailure").Status);
    }

    [Fact]
    public async Task ActiveNamespace_IsLeftAlone()
    {
        var ns = new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns, ResourceVersion = "1" }, Spec = new V1NamespaceSpec { Finalizers = ["kubernetes"] }, Status = new V1NamespaceStatus { Phase = "Active" } };
        _cache.Upsert(ns);
        _namespaces.Current = ns;
        _api.Add(ConfigMaps, Ns, "settings");

        await _controller.SyncAsync(Ns, default);

        Assert.Empty(_api.Actions);
        Assert.Empty(_namespaces.Finalized);
    }

    [Fact]
    public async Task AlreadyFinalized_DeletesNothing()
    {
        Terminating();
        _namespaces.Current!.Spec.Finalizers = [];
        _api.Add(ConfigMaps, Ns, "settings");

        await _controller.SyncAsync(Ns, default);

        Assert.Empty(_api.Actions);
    }

    [Fact]
    public async Task OnlyNamespacesBeingDeleted_AreQueued_AfterTheDeletionGracePeriod()
    {
        var timers = new RecordingTimers();
        var controller = new NamespaceController(_cache, _namespaces, _api, timers);
        var informer = new SharedInformer<V1Namespace>(new NoListWatch(), TimeSpan.Zero, timers);
        informer.Store.Upsert(new V1Namespace { Metadata = new V1ObjectMeta { Name = "active" } });
        informer.Store.Upsert(new V1Namespace { Metadata = new V1ObjectMeta { Name = "leaving", DeletionTimestamp = DateTime.UtcNow } });

        // Handlers registered after the first list receive an add for every cached object.
        controller.Register(informer);

        Assert.Equal([TimeSpan.FromSeconds(5)], timers.Delays);
        Assert.Equal(1, controller.Queue.Length);
        Assert.Equal("leaving", (await controller.Queue.GetAsync(default)).Key);
    }

    private void Terminating()
    {
        var ns = new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = Ns, ResourceVersion = "1", DeletionTimestamp = _time.GetUtcNow().UtcDateTime },
            Spec = new V1NamespaceSpec { Finalizers = ["kubernetes"] },
            Status = new V1NamespaceStatus { Phase = "Terminating" },
        };
        _cache.Upsert(ns);
        _namespaces.Current = ns;
    }

    private sealed class FakeNamespaces : INamespaceClient
    {
        public V1Namespace? Current { get; set; }

        public List<V1Namespace> Finalized { get; } = [];

        public List<V1Pod> Pods { get; } = [];

        public Task<V1Namespace?> GetAsync(string name, CancellationToken cancellationToken) => Task.FromResult(Current is null ? null : Objects.Clone(Current));

        public Task<V1Namespace> UpdateStatusAsync(V1Namespace ns, CancellationToken cancellationToken)
        {
            Current = Objects.Clone(ns);
            return Task.FromResult(ns);
        }

        public Task<V1Namespace> FinalizeAsync(V1Namespace ns, CancellationToken cancellationToken)
        {
            Finalized.Add(Objects.Clone(ns));
            return Task.FromResult(ns);
        }

        public Task<IList<V1Pod>> ListPodsAsync(string ns, CancellationToken cancellationToken) => Task.FromResult<IList<V1Pod>>([.. Pods]);
    }

    private sealed class NoListWatch : IListWatch<V1Namespace>
    {
        public Task<(IReadOnlyList<V1Namespace> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<(k8s.WatchEventType Type, V1Namespace? Object)> WatchAsync(string resourceVersion, TimeSpan timeout, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    // Fires every timer at once, remembering the delay asked for.
    private sealed class RecordingTimers : TimeProvider
    {
        public List<TimeSpan> Delays { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Timer(this, callback, state);

        private sealed class Timer(RecordingTimers owner, TimerCallback callback, object? state) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    owner.Delays.Add(dueTime);
                    callback(state);
                }

                return true;
            }

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
