using Cetus.Cri.Fake;
using Cetus.Kubelet.Images;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Status;
using Cetus.Kubelet.Tests.Probes;
using Grpc.Core;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Images;

/// <summary>ImagePullBackOff as the kubelet's image manager (EnsureImageExists with flowcontrol.Backoff), on a fake clock.</summary>
public sealed class ImagePullBackOffTests
{
    private const string Unpullable = "registry.invalid/app:1";
    private readonly TimerClock _time = new();
    private readonly FakeKubeletClient _client = new();
    private readonly FakeEventSink _events = new();
    private readonly FakeRuntime _runtime;
    private readonly PodRuntimeManager _manager;
    private readonly PodSync _sync;

    public ImagePullBackOffTests()
    {
        _runtime = new FakeRuntime(new FakeRuntimeOptions { Time = _time, Images = ["nginx:1.27"] });
        _runtime.RecordCalls();
        _manager = new PodRuntimeManager(_runtime, FakeRuntime.RuntimeName, _time, events: _events);
        _sync = new PodSync(_manager, new PodStatusManager(_client), _client, "192.168.0.7", _time);
    }

    private int Pulls => _runtime.Calls.Count(c => c == "PullImage");

    [Fact]
    public void IsInBackOffSinceUpdate_CountsFromTheFailure_AndResetForgets()
    {
        var backoff = new ContainerBackoff(_time);
        Assert.False(backoff.IsInBackOffSinceUpdate("k", out _));
        backoff.Next("k", _time.GetUtcNow().UtcDateTime);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(backoff.IsInBackOffSinceUpdate("k", out var remaining));
        Assert.Equal(TimeSpan.FromSeconds(7), remaining);
        _time.Advance(TimeSpan.FromSeconds(7));
        Assert.False(backoff.IsInBackOffSinceUpdate("k", out _));

        backoff.Next("k", _time.GetUtcNow().UtcDateTime);
        Assert.Equal(TimeSpan.FromSeconds(20), backoff.Get("k"));
        backoff.Reset("k");
        Assert.False(backoff.IsInBackOffSinceUpdate("k", out _));
        backoff.Next("k", _time.GetUtcNow().UtcDateTime);
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Get("k"));
    }

    [Fact]
    public async Task FailingPull_AlternatesErrImagePullAndImagePullBackOff_PullingAfter10s20s40sUpTo300s()
    {
        _client.Add(Pod("web", containers: [Container("app", image: Unpullable)]));
        var pullTimes = new List<DateTimeOffset>();
        var reasonsAtPulls = new List<string>();
        var reasonsBetween = new HashSet<string>();
        var start = _time.GetUtcNow();
        while (_time.GetUtcNow() - start < TimeSpan.FromMinutes(17))
        {
            var before = Pulls;
            var outcome = await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
            var waiting = Assert.Single(_client.Pod("web").Status.ContainerStatuses).State.Waiting;
            if (Pulls > before)
            {
                pullTimes.Add(_time.GetUtcNow());
                reasonsAtPulls.Add(waiting.Reason);
                Assert.StartsWith($"rpc error: code = Unknown desc = failed to pull and unpack image \"{Unpullable}\": failed to resolve reference", waiting.Message, StringComparison.Ordinal);
                // The next sync comes soon, inside the backoff, so that ImagePullBackOff shows.
                Assert.Equal(ImageManager.RecheckAfterFailedPull, outcome.ResyncAfter);
            }
            else
            {
                reasonsBetween.Add(waiting.Reason);
                Assert.Equal($"Back-off pulling image \"{Unpullable}\"", waiting.Message);
            }

            Assert.Equal("Pending", _client.Pod("web").Status.Phase);
            _time.Advance(Assert.IsType<TimeSpan>(outcome.ResyncAfter));
        }

        Assert.All(reasonsAtPulls, r => Assert.Equal("ErrImagePull", r));
        Assert.Equal(["ImagePullBackOff"], reasonsBetween);
        var gaps = pullTimes.Zip(pullTimes.Skip(1), (a, b) => (int)(b - a).TotalSeconds).ToList();
        Assert.Equal([10, 20, 40, 80, 160, 300, 300], gaps);
        Assert.Equal(0, _runtime.ContainerCount);
    }

    [Fact]
    public async Task InBackoff_TheSyncAsksToBeWokenWhenItEnds_NotBefore()
    {
        _client.Add(Pod("web", containers: [Container("app", image: Unpullable)]));
        await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(4));
        var outcome = await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(6), outcome.ResyncAfter);
        Assert.Equal(1, Pulls);
    }

    [Fact]
    public async Task BackOff_RecordsANormalBackOffEvent_AndErrorImagePullBackOff_AtEachSyncInside()
    {
        _client.Add(Pod("web", containers: [Container("app", image: Unpullable)]));
        await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(2));
        await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);

        var backOff = ("Normal", "BackOff", $"Back-off pulling image \"{Unpullable}\"");
        var failed = ("Warning", "Failed", "Error: ImagePullBackOff");
        var events = _events.About("spec.containers{app}");
        Assert.Equal(("Normal", "Pulling", $"Pulling image \"{Unpullable}\""), events[0]);
        Assert.Equal("Failed", events[1].Reason);
        Assert.StartsWith($"Failed to pull image \"{Unpullable}\": rpc error: code = Unknown desc = ", events[1].Message, StringComparison.Ordinal);
        Assert.Equal([("Warning", "Failed", "Error: ErrImagePull"), backOff, failed, backOff, failed], events.Skip(2));
    }

    [Fact]
    public async Task SuccessfulPull_AfterTheBackoff_StartsTheContainer_AndClearsTheBackoff()
    {
        _runtime.FailNext("PullImage", StatusCode.Unavailable, "registry down");
        _runtime.FailNext("PullImage", StatusCode.Unavailable, "registry down");
        _client.Add(Pod("web", containers: [Container("app", image: "registry.local/app:1")]));
        await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(10));
        await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Equal(("ErrImagePull", "rpc error: code = Unavailable desc = registry down"), (_client.Pod("web").Status.ContainerStatuses[0].State.Waiting.Reason, _client.Pod("web").Status.ContainerStatuses[0].State.Waiting.Message));
        Assert.Equal(TimeSpan.FromSeconds(20), _manager.Images.Backoff.Get(ContainerBackoff.Key("uid-web", "registry.local/app:1")));

        _time.Advance(TimeSpan.FromSeconds(19));
        await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Equal("ImagePullBackOff", _client.Pod("web").Status.ContainerStatuses[0].State.Waiting.Reason);
        _time.Advance(TimeSpan.FromSeconds(1));
        var outcome = await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);

        var app = Assert.Single(_client.Pod("web").Status.ContainerStatuses);
        Assert.NotNull(app.State.Running);
        Assert.Equal("Running", _client.Pod("web").Status.Phase);
        Assert.Equal(0, _manager.Images.Backoff.Count);
        Assert.Equal(PodSync.SyncFrequency, outcome.ResyncAfter);
        Assert.Equal(3, Pulls);
    }

    [Fact]
    public async Task PullPolicyNever_WithAMissingImage_StaysErrImageNeverPull_WithoutPullsOrBackoff()
    {
        var app = Container("app", image: "registry.local/missing:1");
        app.ImagePullPolicy = "Never";
        _client.Add(Pod("web", containers: [app]));
        for (var i = 0; i < 3; i++)
        {
            var outcome = await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
            var waiting = _client.Pod("web").Status.ContainerStatuses[0].State.Waiting;
            Assert.Equal(("ErrImageNeverPull", "Container image \"registry.local/missing:1\" is not present with pull policy of Never"), (waiting.Reason, waiting.Message));
            Assert.Equal(PodSync.SyncFrequency, outcome.ResyncAfter);
            _time.Advance(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(0, Pulls);
        Assert.Equal(0, _manager.Images.Backoff.Count);
    }

    [Fact]
    public async Task Backoff_IsPerPodAndImage_AndForgottenWithThePod()
    {
        _client.Add(Pod("a", containers: [Container("app", image: Unpullable)]));
        _client.Add(Pod("b", containers: [Container("app", image: Unpullable), Container("other", image: "other.invalid/x:2")]));
        await _sync.SyncPodAsync(_client.Pod("a"), CancellationToken.None);
        // Pod a's backoff does not hold pod b's pulls back; each image of b has its own entry.
        await _sync.SyncPodAsync(_client.Pod("b"), CancellationToken.None);
        Assert.Equal(3, Pulls);
        Assert.All(_client.Pod("b").Status.ContainerStatuses, s => Assert.Equal("ErrImagePull", s.State.Waiting.Reason));
        Assert.Equal(3, _manager.Images.Backoff.Count);

        await _sync.ForgetAsync("uid-a", CancellationToken.None);
        Assert.Equal(2, _manager.Images.Backoff.Count);
    }

    [Fact]
    public async Task InitContainer_ImagePullBackOff_KeepsThePodPending_AndAsksForTheResync()
    {
        _client.Add(Pod("web", init: [Container("setup", image: Unpullable)], containers: [Container("app")]));
        await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        var outcome = await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        var init = Assert.Single(_client.Pod("web").Status.InitContainerStatuses);
        Assert.Equal("ImagePullBackOff", init.State.Waiting.Reason);
        Assert.Equal(("Pending", "PodInitializing"), (_client.Pod("web").Status.Phase, _client.Pod("web").Status.ContainerStatuses[0].State.Waiting.Reason));
        Assert.Equal(TimeSpan.FromSeconds(9), outcome.ResyncAfter);
    }

    [Fact]
    public async Task PodWorkers_AreWokenAfterTheFailedPull_AndAgainWhenTheBackoffEnds()
    {
        using var stop = new CancellationTokenSource();
        var workers = new PodWorkers(_sync, stop.Token, _time);
        _client.Add(Pod("web", containers: [Container("app", image: Unpullable)]));
        var start = _time.GetUtcNow();
        workers.Update(_client.Pod("web"));
        await workers.WhenIdleAsync(CancellationToken.None);
        Assert.Equal(1, Pulls);
        await _time.WaitForTimerAsync(start + ImageManager.RecheckAfterFailedPull);

        _time.Advance(ImageManager.RecheckAfterFailedPull);
        await TimerClock.WaitUntilAsync(() => Reason(_client.Pod("web")) == "ImagePullBackOff", "ImagePullBackOff");
        await workers.WhenIdleAsync(CancellationToken.None);
        await _time.WaitForTimerAsync(start + TimeSpan.FromSeconds(10));
        Assert.Equal(1, Pulls);

        // Nothing happens before the backoff ends; then the pull is made again.
        _time.Advance(TimeSpan.FromSeconds(8));
        await workers.WhenIdleAsync(CancellationToken.None);
        Assert.Equal(1, Pulls);
        _time.Advance(TimeSpan.FromSeconds(1));
        await TimerClock.WaitUntilAsync(() => Pulls == 2, "the second pull");
        await workers.WhenIdleAsync(CancellationToken.None);
        Assert.Equal("ErrImagePull", Reason(_client.Pod("web")));
        stop.Cancel();
    }

    private static string? Reason(V1Pod pod) => pod.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason;
}
