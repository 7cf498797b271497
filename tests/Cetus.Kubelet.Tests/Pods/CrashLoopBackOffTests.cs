using Cetus.Cri.Fake;
using Cetus.Cri.V1;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Status;
using Cetus.Kubelet.Tests.Probes;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Pods;

/// <summary>CrashLoopBackOff as the kubelet's doBackOff and client-go's flowcontrol.Backoff, on a fake clock.</summary>
public sealed class CrashLoopBackOffTests
{
    private readonly TimerClock _time = new();
    private readonly FakeKubeletClient _client = new();
    private readonly FakeEventSink _events = new();
    private readonly FakeRuntime _runtime;
    private readonly PodRuntimeManager _manager;
    private readonly PodSync _sync;

    public CrashLoopBackOffTests()
    {
        // Every app container crashes (exit 1) as soon as it starts, except "ok".
        _runtime = new FakeRuntime(new FakeRuntimeOptions
        {
            Time = _time,
            Images = ["nginx:1.27"],
            Behavior = c => c.Metadata.Name == "ok" ? FakeContainerOutcome.Run : new FakeContainerOutcome(1),
        });
        _runtime.RecordCalls();
        _manager = new PodRuntimeManager(_runtime, FakeRuntime.RuntimeName, _time, events: _events);
        _sync = new PodSync(_manager, new PodStatusManager(_client), _client, "192.168.0.7", _time);
    }

    [Fact]
    public void Backoff_Doubles_From10sTo300s_ThenStays()
    {
        var backoff = new ContainerBackoff(_time);
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 8; i++)
        {
            backoff.Next("k", _time.GetUtcNow().UtcDateTime);
            delays.Add(backoff.Get("k"));
            _time.Advance(backoff.Get("k"));
        }

        Assert.Equal([10, 20, 40, 80, 160, 300, 300, 300], delays.Select(d => (int)d.TotalSeconds));
    }

    [Fact]
    public void IsInBackOffSince_HoldsForTheDelayAfterTheExit()
    {
        var backoff = new ContainerBackoff(_time);
        var exit = _time.GetUtcNow().UtcDateTime;
        Assert.False(backoff.IsInBackOffSince("k", exit, out _));
        backoff.Next("k", exit);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(backoff.IsInBackOffSince("k", exit, out var remaining));
        Assert.Equal(TimeSpan.FromSeconds(6), remaining);
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.False(backoff.IsInBackOffSince("k", exit, out _));
    }

    [Fact]
    public void Backoff_ResetsAfterTenMinutesWithoutARestart_AndCollectDropsExpiredEntries()
    {
        var backoff = new ContainerBackoff(_time);
        for (var i = 0; i < 4; i++)
        {
            backoff.Next("k", _time.GetUtcNow().UtcDateTime);
        }

        Assert.Equal(TimeSpan.FromSeconds(80), backoff.Get("k"));
        // The container ran 10 minutes (and a second) before it exited again: back to the initial delay.
        _time.Advance(TimeSpan.FromSeconds(601));
        var exit = _time.GetUtcNow().UtcDateTime;
        Assert.False(backoff.IsInBackOffSince("k", exit, out _));
        backoff.Next("k", exit);
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.Get("k"));

        backoff.Next("other", exit);
        _time.Advance(TimeSpan.FromSeconds(600));
        backoff.Collect();
        Assert.Equal(2, backoff.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        backoff.Collect();
        Assert.Equal(0, backoff.Count);
    }

    [Theory]
    [InlineData(10, "10s")]
    [InlineData(80, "1m20s")]
    [InlineData(160, "2m40s")]
    [InlineData(300, "5m0s")]
    public void Durations_ArePrintedAsGoDoes(int seconds, string text) => Assert.Equal(text, ContainerBackoff.GoDuration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public async Task CrashingContainer_RestartsAfter10s20s40s_AndWaitsWithCrashLoopBackOff()
    {
        _client.Add(Pod("web"));
        // First start, then an immediate first restart; the second restart waits 10 s.
        var outcome = await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(10), outcome.ResyncAfter);
        var app = Assert.Single(_client.Pod("web").Status.ContainerStatuses);
        Assert.Equal(("CrashLoopBackOff", "back-off 10s restarting failed container=app pod=web_default(uid-web)"), (app.State.Waiting.Reason, app.State.Waiting.Message));
        Assert.Equal((1, 1, "Error"), (app.RestartCount, app.LastState.Terminated.ExitCode, app.LastState.Terminated.Reason));
        Assert.Equal("Running", _client.Pod("web").Status.Phase);

        // Before the delay is over nothing starts, and the sync says how long is left.
        _time.Advance(TimeSpan.FromSeconds(4));
        outcome = await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(6), outcome.ResyncAfter);
        Assert.Equal(2, _runtime.ContainerCount);

        var expected = new[] { 20, 40, 80, 160, 300, 300 };
        _time.Advance(TimeSpan.FromSeconds(6));
        for (var i = 0; i < expected.Length; i++)
        {
            outcome = await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
            // The next sync comes when the backoff ends, or sooner: a running pod is synced at least every minute.
            Assert.Equal(TimeSpan.FromSeconds(Math.Min(expected[i], PodSync.SyncFrequency.TotalSeconds)), outcome.ResyncAfter);
            app = Assert.Single(_client.Pod("web").Status.ContainerStatuses);
            Assert.Equal(i + 2, app.RestartCount);
            Assert.Equal($"back-off {ContainerBackoff.GoDuration(TimeSpan.FromSeconds(expected[i]))} restarting failed container=app pod=web_default(uid-web)", app.State.Waiting.Message);
            _time.Advance(TimeSpan.FromSeconds(expected[i]));
        }
    }

    [Fact]
    public async Task CrashingContainer_RecordsCreatedStartedPerRestart_ThenBackOffWhileItWaits()
    {
        _client.Add(Pod("web"));
        await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(4));
        await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);

        var events = _events.About("spec.containers{app}");
        var backOff = ("Warning", "BackOff", "Back-off restarting failed container app in pod web_default(uid-web)");
        Assert.Equal(
            [
                ("Normal", "Pulled", "Container image \"nginx:1.27\" already present on machine"),
                ("Normal", "Created", "Created container: app"),
                ("Normal", "Started", "Started container app"),
                ("Normal", "Pulled", "Container image \"nginx:1.27\" already present on machine"),
                ("Normal", "Created", "Created container: app"),
                ("Normal", "Started", "Started container app"),
                backOff,
                backOff,
            ],
            events);
    }

    [Fact]
    public async Task OnlyTheCrashingContainer_BacksOff_TheOtherRuns()
    {
        _client.Add(Pod("web", containers: [Container("ok"), Container("app")]));
        var outcome = await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(10), outcome.ResyncAfter);
        var statuses = _client.Pod("web").Status.ContainerStatuses;
        Assert.NotNull(statuses.Single(s => s.Name == "ok").State.Running);
        Assert.Equal("CrashLoopBackOff", statuses.Single(s => s.Name == "app").State.Waiting.Reason);
    }

    [Fact]
    public async Task FailingInitContainer_BacksOffToo()
    {
        _client.Add(Pod("web", "OnFailure", init: [Container("init")], containers: [Container("ok")]));
        var outcome = await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(10), outcome.ResyncAfter);
        var init = Assert.Single(_client.Pod("web").Status.InitContainerStatuses);
        Assert.Equal(("CrashLoopBackOff", 1), (init.State.Waiting.Reason, init.RestartCount));
        Assert.Equal("Pending", _client.Pod("web").Status.Phase);
    }

    [Fact]
    public async Task CrashingSidecar_BacksOff_WhateverThePodsRestartPolicy()
    {
        _client.Add(Pod("web", "Never", init: [Container("side", restartPolicy: "Always")], containers: [Container("ok")]));
        var outcome = await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(10), outcome.ResyncAfter);
        Assert.Equal("CrashLoopBackOff", Assert.Single(_client.Pod("web").Status.InitContainerStatuses).State.Waiting.Reason);
    }

    [Fact]
    public async Task PodWorkers_SyncAgainWhenTheBackoffExpires_WithoutBusyLooping()
    {
        using var stop = new CancellationTokenSource();
        var workers = new PodWorkers(_sync, stop.Token, _time);
        _client.Add(Pod("web"));
        workers.Update(_client.Pod("web"));
        await workers.WhenIdleAsync(CancellationToken.None);
        Assert.Equal(2, _runtime.ContainerCount);
        var due = _time.GetUtcNow() + TimeSpan.FromSeconds(10);
        await _time.WaitForTimerAsync(due);
        var calls = _runtime.Calls.Count;

        // Nothing happens until the backoff ends: one timer, no syncs in between.
        _time.Advance(TimeSpan.FromSeconds(9));
        await workers.WhenIdleAsync(CancellationToken.None);
        Assert.Equal(calls, _runtime.Calls.Count);

        _time.Advance(TimeSpan.FromSeconds(1));
        await TimerClock.WaitUntilAsync(() => _runtime.ContainerCount == 3, "the third attempt");
        await workers.WhenIdleAsync(CancellationToken.None);
        await _time.WaitForTimerAsync(_time.GetUtcNow() + TimeSpan.FromSeconds(20));
        Assert.Single(_time.DueTimes);
        stop.Cancel();
    }
}
