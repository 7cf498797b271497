using Cetus.Client.LeaderElection;
using k8s;
using Xunit;

namespace Cetus.Controllers.Tests.Client;

/// <summary>Leader election on a real Lease in an API server in this process; the candidates' clock is manual.</summary>
public sealed class LeaderElectorTests(InProcessCluster cluster) : IClassFixture<InProcessCluster>
{
    private readonly ManualTime _time = new();

    [Fact]
    public async Task OnlyOneCandidateLeads_UntilTheLeaseGoesUnrenewedForItsDuration()
    {
        var a = new LeaderElector(cluster.Client, "kube-system", "test-lease", "a", time: _time);
        var b = new LeaderElector(cluster.Client, "kube-system", "test-lease", "b", time: _time);

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

        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("test-lease", "kube-system");
        Assert.Equal(("b", 1, 15), (lease.Spec.HolderIdentity, lease.Spec.LeaseTransitions, lease.Spec.LeaseDurationSeconds));
    }
}
