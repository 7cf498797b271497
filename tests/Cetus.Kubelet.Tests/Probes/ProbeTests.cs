using System.Collections.Concurrent;
using Cetus.Cri.Fake;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Status;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Probes;

/// <summary>Liveness, readiness and startup probes driving pods through the pod workers, on a fake clock and the fake runtime.</summary>
public sealed class ProbeTests : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);
    private readonly TimerClock _time = new();
    private readonly FakeKubeletClient _client = new();
    private readonly FakeEventSink _events = new();
    private readonly FakeRuntime _runtime;
    private readonly PodSync _sync;
    private readonly PodWorkers _workers;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _execs = new();
    private volatile bool _ready;
    private volatile bool _started;
    private volatile int _liveFailures = int.MaxValue;

    public ProbeTests()
    {
        _runtime = new FakeRuntime(new FakeRuntimeOptions { Time = _time, Images = ["nginx:1.27"], StopExitCode = 137 });
        _runtime.RecordCalls();
        _runtime.OnExec(e =>
        {
            var command = e.Command[0];
            _execs.AddOrUpdate($"{command}@{e.ContainerId}", 1, (_, n) => n + 1);
            var count = _execs.AddOrUpdate(command, 1, (_, n) => n + 1);
            var ok = command switch
            {
                "ready" => _ready,
                "started" => _started,
                "live" => count > _liveFailures,
                _ => false,
            };
            return new FakeExecResult(ok ? 0 : 1);
        });
        var manager = new PodRuntimeManager(_runtime, FakeRuntime.RuntimeName, _time, events: _events);
        _sync = new PodSync(manager, new PodStatusManager(_client), _client, "192.168.0.7", _time);
        _workers = new PodWorkers(_sync, _stop.Token, _time);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private static V1Probe Exec(string command, int failureThreshold = 3, int successThreshold = 1) => new()
    {
        Exec = new V1ExecAction { Command = [command] },
        PeriodSeconds = 10,
        FailureThreshold = failureThreshold,
        SuccessThreshold = successThreshold,
    };

    private int Execs(string key) => _execs.TryGetValue(key, out var n) ? n : 0;

    private V1ContainerStatus App => Assert.Single(_client.Pod("web").Status.ContainerStatuses);

    private string ReadyCondition => _client.Pod("web").Status.Conditions.Single(c => c.Type == "Ready").Status;

    private async Task StartAsync(V1Pod pod)
    {
        _client.Add(pod);
        _workers.Update(_client.Pod("web"));
        await _workers.WhenIdleAsync(CancellationToken.None);
    }

    // Waits for the probe workers to wait for their next period (count of them), then moves the clock one period.
    private async Task NextPeriodAsync(int workers = 1)
    {
        await _time.WaitForTimerAsync(_time.GetUtcNow() + Period, workers);
        _time.Advance(Period);
    }

    private async Task EventuallyAsync(Func<bool> condition, string what)
    {
        await TimerClock.WaitUntilAsync(
            () =>
            {
                if (_workers.WhenIdleAsync(CancellationToken.None) is { IsCompleted: false })
                {
                    return false;
                }

                return condition();
            },
            what);
    }

    [Fact]
    public async Task FailingLivenessProbe_KillsTheContainerWithThePodsGracePeriod_AndRestartsIt()
    {
        var app = Container("app");
        app.LivenessProbe = Exec("live", failureThreshold: 3);
        var pod = Pod("web", containers: [app]);
        pod.Spec.TerminationGracePeriodSeconds = 20;
        await StartAsync(pod);
        var first = (await _runtime.ListContainersAsync(null, CancellationToken.None)).Single().Id;
        await TimerClock.WaitUntilAsync(() => Execs("live") == 1, "the first probe");

        await NextPeriodAsync();
        await TimerClock.WaitUntilAsync(() => Execs("live") == 2, "the second probe");
        Assert.Equal(1, _runtime.ContainerCount);
        await NextPeriodAsync();

        await EventuallyAsync(() => _runtime.ContainerCount == 2 && App.RestartCount == 1 && App.State.Running is not null, "the restart");
        Assert.Equal((first, 20L), Assert.Single(_runtime.Stops));
        Assert.Equal(3, Execs("live@" + first));
        Assert.Equal((137, "Error"), (App.LastState.Terminated.ExitCode, App.LastState.Terminated.Reason));
        // The new instance is probed by a new worker.
        await TimerClock.WaitUntilAsync(() => Execs("live") == 4, "the new instance's first probe");
    }

    [Fact]
    public async Task FailingLivenessProbe_WithRestartPolicyNever_KillsWithoutRestart()
    {
        var app = Container("app");
        app.LivenessProbe = Exec("live", failureThreshold: 1);
        await StartAsync(Pod("web", "Never", containers: [app]));
        await EventuallyAsync(() => App.State.Terminated is not null, "the kill");
        Assert.Equal((1, 0, "Failed"), (_runtime.ContainerCount, App.RestartCount, _client.Pod("web").Status.Phase));
    }

    [Fact]
    public async Task FailingLivenessProbe_RecordsUnhealthyPerFailure_ThenKilling()
    {
        var app = Container("app");
        app.LivenessProbe = Exec("live", failureThreshold: 2);
        await StartAsync(Pod("web", containers: [app]));
        await TimerClock.WaitUntilAsync(() => Execs("live") == 1, "the first probe");
        await NextPeriodAsync();
        await EventuallyAsync(() => _runtime.ContainerCount == 2, "the restart");

        // Two failures (failureThreshold 2), then the kill; the new instance's probes may have failed since.
        var events = _events.About("spec.containers{app}").Where(e => e.Reason is "Unhealthy" or "Killing").Take(3).ToList();
        Assert.Equal(3, events.Count);
        Assert.All(events.Take(2), e => Assert.Equal(("Warning", "Unhealthy"), (e.Type, e.Reason)));
        Assert.All(events.Take(2), e => Assert.StartsWith("Liveness probe failed: ", e.Message, StringComparison.Ordinal));
        Assert.Equal(("Normal", "Killing", "Container app failed liveness probe, will be restarted"), events[2]);
        Assert.Equal(2, _events.About("spec.containers{app}").Count(e => e.Reason == "Started"));
    }

    [Fact]
    public async Task ReadinessProbe_GatesReady_BothWays()
    {
        var app = Container("app");
        app.ReadinessProbe = Exec("ready", failureThreshold: 2);
        await StartAsync(Pod("web", containers: [app]));
        await TimerClock.WaitUntilAsync(() => Execs("ready") == 1, "the first probe");
        await EventuallyAsync(() => App.State.Running is not null, "running");
        Assert.Equal((true, false, "False"), (App.Started, App.Ready, ReadyCondition));

        _ready = true;
        await NextPeriodAsync();
        await EventuallyAsync(() => ReadyCondition == "True", "Ready");
        Assert.True(App.Ready);

        // Two failures in a row (failureThreshold 2) make it unready again; one is not enough.
        _ready = false;
        await NextPeriodAsync();
        await TimerClock.WaitUntilAsync(() => Execs("ready") == 3, "a failed probe");
        await EventuallyAsync(() => true, "idle");
        Assert.Equal("True", ReadyCondition);
        await NextPeriodAsync();
        await EventuallyAsync(() => ReadyCondition == "False", "not Ready");
        Assert.False(App.Ready);
        Assert.Equal(0, App.RestartCount);
    }

    [Fact]
    public async Task ContainerWithoutReadinessProbe_IsReadyWhenRunning()
    {
        await StartAsync(Pod("web"));
        Assert.Equal((true, true, "True"), (App.Started, App.Ready, ReadyCondition));
    }

    [Fact]
    public async Task StartupProbe_GatesLivenessAndReadiness_UntilItSucceeds()
    {
        var app = Container("app");
        app.StartupProbe = Exec("started", failureThreshold: 30);
        app.LivenessProbe = Exec("live", failureThreshold: 1);
        _liveFailures = 1;
        await StartAsync(Pod("web", containers: [app]));
        await TimerClock.WaitUntilAsync(() => Execs("started") == 1, "the first startup probe");
        for (var i = 2; i <= 4; i++)
        {
            await NextPeriodAsync(workers: 2);
            await TimerClock.WaitUntilAsync(() => Execs("started") == i, "a startup probe");
        }

        await EventuallyAsync(() => App.State.Running is not null, "running");
        Assert.Equal((false, false, 0), (App.Started ?? false, App.Ready, Execs("live")));

        // Once the startup probe succeeded, liveness runs (in the same period or the next) and fails: a restart.
        _started = true;
        await NextPeriodAsync(workers: 2);
        await TimerClock.WaitUntilAsync(() => Execs("started") == 5, "the successful startup probe");
        await EventuallyAsync(() => Execs("live") >= 1 || _time.DueTimes.Contains(_time.GetUtcNow() + Period), "liveness run or scheduled");
        if (Execs("live") == 0)
        {
            _time.Advance(Period);
        }

        await EventuallyAsync(() => App.RestartCount == 1 && App.State.Running is not null, "the liveness restart");
        // The new instance's startup probe succeeds at once: started, and ready (no readiness probe).
        await EventuallyAsync(() => App.Started == true && App.Ready, "the new instance started");
    }

    [Fact]
    public async Task WorkersStop_WhenThePodGoes()
    {
        var app = Container("app");
        app.ReadinessProbe = Exec("ready");
        app.LivenessProbe = Exec("live", failureThreshold: 100);
        await StartAsync(Pod("web", containers: [app]));
        await TimerClock.WaitUntilAsync(() => _sync.Probes.WorkerCount == 2, "two workers");
        _workers.Remove(_client.Pod("web"));
        await _workers.WhenIdleAsync(CancellationToken.None);
        Assert.Equal(0, _sync.Probes.WorkerCount);
    }
}
