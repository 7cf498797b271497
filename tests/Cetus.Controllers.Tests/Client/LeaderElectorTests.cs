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

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task AFailingLeaseRequest_IsAFailedAttempt_NotAnError(int code)
    {
        var leader = new LeaderElector(cluster.Client, "kube-system", $"failing-{code}", "a", time: _time);
        Assert.True(await leader.TryAcquireOrRenewAsync(CancellationToken.None));
        var failing = new AnswerHandler(code);
        using var client = cluster.CreateClient(failing);
        var troubled = new LeaderElector(client, "kube-system", $"failing-{code}", "a", time: _time);

        // client-go's elector logs such an answer and tries again after the retry period; it must not end the process.
        Assert.False(await troubled.TryAcquireOrRenewAsync(CancellationToken.None));
        Assert.True(failing.Answered > 0);

        failing.Code = null;
        Assert.True(await troubled.TryAcquireOrRenewAsync(CancellationToken.None));
    }

    /// <summary>Answers every request with <see cref="Code"/> while it is set, without reaching the server.</summary>
    private sealed class AnswerHandler(int code) : DelegatingHandler
    {
        public int? Code { get; set; } = code;

        public int Answered { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Code is not { } answer)
            {
                return base.SendAsync(request, cancellationToken);
            }

            Answered++;
            return Task.FromResult(new HttpResponseMessage((System.Net.HttpStatusCode)answer)
            {
                Content = new StringContent($$"""{"kind":"Status","apiVersion":"v1","status":"Failure","code":{{answer}}}""", System.Text.Encoding.UTF8, "application/json"),
                RequestMessage = request,
            });
        }
    }
}
