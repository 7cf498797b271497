using Cetus.Cri.Fake;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Status;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Probes;

/// <summary>postStart and preStop hooks around a container's start and stop, on a fake clock and the fake runtime.</summary>
public sealed class LifecycleHookTests
{
    private readonly TimerClock _time = new();
    private readonly FakeKubeletClient _client = new();
    private readonly FakeRuntime _runtime;
    private readonly PodRuntimeManager _manager;
    private readonly PodSync _sync;
    private TimeSpan _hookTakes = TimeSpan.Zero;

    public LifecycleHookTests()
    {
        _runtime = new FakeRuntime(new FakeRuntimeOptions { Time = _time, Images = ["nginx:1.27"], StopExitCode = 143 });
        _runtime.RecordCalls();
        _runtime.OnExec(e => new FakeExecResult(e.Command[0] == "fail" ? 2 : 0, Stderr: "hook said no", Delay: _hookTakes));
        _manager = new PodRuntimeManager(_runtime, FakeRuntime.RuntimeName, _time);
        _sync = new PodSync(_manager, new PodStatusManager(_client), _client, "192.168.0.7", _time);
    }

    private static V1Container WithHooks(V1LifecycleHandler? postStart = null, V1LifecycleHandler? preStop = null)
    {
        var app = Container("app");
        app.Lifecycle = new V1Lifecycle { PostStart = postStart, PreStop = preStop };
        return app;
    }

    private static V1LifecycleHandler Exec(string command) => new() { Exec = new V1ExecAction { Command = [command] } };

    private V1Pod Deleting(long grace)
    {
        var pod = _client.Pod("web");
        pod.Metadata.DeletionTimestamp = _time.GetUtcNow().UtcDateTime.AddSeconds(grace);
        pod.Metadata.DeletionGracePeriodSeconds = grace;
        return pod;
    }

    [Fact]
    public async Task PostStart_RunsRightAfterStartContainer()
    {
        _client.Add(Pod("web", containers: [WithHooks(postStart: Exec("ok"))]));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        var calls = _runtime.Calls.Where(c => c is "CreateContainer" or "StartContainer" or "ExecSync" or "StopContainer").ToList();
        Assert.Equal(["CreateContainer", "StartContainer", "ExecSync"], calls);
        Assert.NotNull(Assert.Single(_client.Pod("web").Status.ContainerStatuses).State.Running);
    }

    [Fact]
    public async Task FailedPostStart_KillsTheContainer_WithPostStartHookError_ThenItRestartsThroughBackoff()
    {
        var pod = Pod("web", containers: [WithHooks(postStart: Exec("fail"))]);
        _client.Add(pod);
        // Step by step: the sandbox, then the container whose hook fails.
        Assert.True((await _manager.SyncAsync(pod, CancellationToken.None)).Changed);
        var step = await _manager.SyncAsync(pod, CancellationToken.None);
        Assert.True(step.Changed);
        Assert.Equal("PostStartHookError", step.Waiting["app"].Reason);
        Assert.Contains("hook said no", step.Waiting["app"].Message, StringComparison.Ordinal);
        Assert.Equal(["StartContainer", "ExecSync", "StopContainer"], _runtime.Calls.Where(c => c is "StartContainer" or "ExecSync" or "StopContainer"));

        // The sync goes on: an immediate restart whose hook fails again, then CrashLoopBackOff.
        var outcome = await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(10), outcome.ResyncAfter);
        var app = Assert.Single(_client.Pod("web").Status.ContainerStatuses);
        Assert.Equal(("CrashLoopBackOff", 1, 143), (app.State.Waiting.Reason, app.RestartCount, app.LastState.Terminated.ExitCode));
    }

    [Fact]
    public async Task FailedPostStart_WithRestartNever_LeavesTheContainerTerminated()
    {
        _client.Add(Pod("web", "Never", containers: [WithHooks(postStart: Exec("fail"))]));
        var outcome = await _sync.SyncPodAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Null(outcome.ResyncAfter);
        var app = Assert.Single(_client.Pod("web").Status.ContainerStatuses);
        Assert.Equal((143, 0), (app.State.Terminated.ExitCode, app.RestartCount));
        Assert.Equal("Failed", _client.Pod("web").Status.Phase);
        Assert.Equal(1, _runtime.ContainerCount);
    }

    [Fact]
    public async Task PreStop_RunsBeforeStopContainer_AndItsTimeIsTakenFromTheGracePeriod()
    {
        _client.Add(Pod("web", containers: [WithHooks(preStop: new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 5 } })]));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        var id = (await _runtime.ListContainersAsync(null, CancellationToken.None)).Single().Id;

        var terminating = _sync.SyncPodAsync(Deleting(30), CancellationToken.None);
        await _time.WaitForTimerAsync(_time.GetUtcNow() + TimeSpan.FromSeconds(5));
        Assert.False(terminating.IsCompleted);
        Assert.Empty(_runtime.Stops);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(PodSyncResult.Terminated, (await terminating).Result);
        Assert.Equal((id, 25L), _runtime.Stops[0]);
        Assert.Empty(_client.Pods);
    }

    [Fact]
    public async Task PreStopExec_TakingAlmostTheWholeGracePeriod_LeavesTheMinimumOf2s()
    {
        _client.Add(Pod("web", containers: [WithHooks(preStop: Exec("drain"))]));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        _hookTakes = TimeSpan.FromSeconds(9);

        var terminating = _sync.SyncPodAsync(Deleting(10), CancellationToken.None);
        await _time.WaitForTimerAsync(_time.GetUtcNow() + TimeSpan.FromSeconds(9));
        _time.Advance(TimeSpan.FromSeconds(9));
        await terminating;

        var order = _runtime.Calls.Where(c => c is "ExecSync" or "StopContainer" or "StopPodSandbox").ToList();
        Assert.Equal(["ExecSync", "StopContainer", "StopPodSandbox"], order.Take(3));
        Assert.Equal(2L, _runtime.Stops[0].TimeoutSeconds);
    }

    [Fact]
    public async Task FailedPreStop_StillStopsTheContainer()
    {
        _client.Add(Pod("web", containers: [WithHooks(preStop: Exec("fail"))]));
        await _sync.SyncAsync(_client.Pod("web"), CancellationToken.None);
        Assert.Equal(PodSyncResult.Terminated, (await _sync.SyncPodAsync(Deleting(30), CancellationToken.None)).Result);
        Assert.Equal(30L, _runtime.Stops[0].TimeoutSeconds);
        Assert.Equal(0, _runtime.ContainerCount);
    }
}
