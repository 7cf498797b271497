using Cetus.Client.LeaderElection;
using Cetus.Storage;
using Cetus.Storage.Sqlite;
using Cetus.Testing;
using k8s;
using Xunit;

namespace Cetus.Controllers.Tests.Client;

/// <summary>Leader election on a real Lease in an API server in this process; the candidates' clock is manual.</summary>
public sealed class LeaderElectorTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("leader");
    private readonly ManualTime _time = new();
    private IStore? _store;
    private InProcessApiServer? _server;
    private Kubernetes? _client;

    public async Task InitializeAsync()
    {
        _store = SqliteStore.Open(_directory.File("state.db"), new StoreOptions { Compaction = null });
        _server = await InProcessApiServer.StartAsync(_store);
        await _server.WriteKubeconfigAsync(_directory.File("kubeconfig"));
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_directory.File("kubeconfig")));
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task OnlyOneCandidateLeads_UntilTheLeaseGoesUnrenewedForItsDuration()
    {
        var a = new LeaderElector(_client!, "kube-system", "test-lease", "a", time: _time);
        var b = new LeaderElector(_client!, "kube-system", "test-lease", "b", time: _time);

        Assert.True(await a.TryAcquireOrRenewAsync(CancellationToken.None));
        Assert.False(await b.TryAcquireOrRenewAsync(CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await a.TryAcquireOrRenewAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(await b.TryAcquireOrRenewAsync(CancellationToken.None));

        // a stops renewing: 15 s later b takes over, and a can no longer renew.
        _time.Advance(TimeSpan.FromSeconds(16));
        Assert.True(await b.TryAcquireOrRenewAsync(CancellationToken.None));
        Assert.False(await a.TryAcquireOrRenewAsync(CancellationToken.None));

        var lease = await _client!.CoordinationV1.ReadNamespacedLeaseAsync("test-lease", "kube-system");
        Assert.Equal(("b", 1, 15), (lease.Spec.HolderIdentity, lease.Spec.LeaseTransitions, lease.Spec.LeaseDurationSeconds));
    }
}
