using Cetus.Kubelet.Status;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Status;

/// <summary>Container statuses with probe results, restart backoff and terminations, as the kubelet reports them.</summary>
public sealed class ProbeStatusTests
{
    private static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static RuntimeContainer Running(string name, uint attempt = 0) => new(name, attempt, $"{name}-{attempt}", RuntimeContainerState.Running, Now.AddSeconds(-5), null, 0, "", "", "sha256:img");

    private static RuntimeContainer Exited(string name, int code, uint attempt = 0, string reason = "") => new(name, attempt, $"{name}-{attempt}", RuntimeContainerState.Exited, Now.AddSeconds(-5), Now.AddSeconds(-1), code, reason, "", "sha256:img");

    private static V1PodStatus Compute(V1Pod pod, IReadOnlyDictionary<string, ContainerWaiting> waiting, IReadOnlyDictionary<string, ContainerProbeView>? probes, params RuntimeContainer[] containers) =>
        PodStatusCalculator.Compute(pod, new RuntimePodState(true, "10.88.0.2", containers, "fake"), waiting, "192.168.0.1", Now, podIsTerminal: false, probes);

    [Fact]
    public void UnreadyProbeView_MakesTheContainerUnready_AndReadyAndContainersReadyFalse()
    {
        var status = Compute(Pod("p", containers: [Container("a"), Container("b")]), new Dictionary<string, ContainerWaiting>(), new Dictionary<string, ContainerProbeView> { ["b"] = new("b-0", Started: true, Ready: false) }, Running("a"), Running("b"));
        Assert.Equal([true, false], status.ContainerStatuses.Select(c => c.Ready));
        Assert.Equal("Running", status.Phase);
        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "ContainersNotReady", "containers with unready status: [b]"), (ready.Status, ready.Reason, ready.Message));
        Assert.Equal("False", status.Conditions.Single(c => c.Type == "ContainersReady").Status);
    }

    [Fact]
    public void NotStartedByItsStartupProbe_IsNeitherStartedNorReady()
    {
        var status = Compute(Pod("p"), new Dictionary<string, ContainerWaiting>(), new Dictionary<string, ContainerProbeView> { ["app"] = new("app-0", Started: false, Ready: false) }, Running("app"));
        var app = Assert.Single(status.ContainerStatuses);
        Assert.Equal((false, false), (app.Started, app.Ready));
        Assert.NotNull(app.State.Running);
    }

    [Fact]
    public void ProbeViewOfAnotherInstance_IsIgnored()
    {
        // The results are about the instance that was killed; the new one has no results yet.
        var status = Compute(Pod("p"), new Dictionary<string, ContainerWaiting>(), new Dictionary<string, ContainerProbeView> { ["app"] = new("app-0", Started: false, Ready: false) }, Exited("app", 1), Running("app", attempt: 1));
        Assert.Equal((true, true), (status.ContainerStatuses[0].Started, status.ContainerStatuses[0].Ready));
    }

    [Fact]
    public void CrashLoopBackOff_WaitsWithTheMessage_AndTheExitedInstanceIsTheLastState()
    {
        var waiting = new Dictionary<string, ContainerWaiting> { ["app"] = new("CrashLoopBackOff", "back-off 20s restarting failed container=app pod=p_default(uid-p)") };
        var status = Compute(Pod("p"), waiting, null, Exited("app", 1, attempt: 0), Exited("app", 2, attempt: 1));
        var app = Assert.Single(status.ContainerStatuses);
        Assert.Equal(("CrashLoopBackOff", "back-off 20s restarting failed container=app pod=p_default(uid-p)"), (app.State.Waiting.Reason, app.State.Waiting.Message));
        Assert.Equal((1, 2, "Error", "fake://app-1"), (app.RestartCount, app.LastState.Terminated.ExitCode, app.LastState.Terminated.Reason, app.LastState.Terminated.ContainerID));
        Assert.Equal((Now.AddSeconds(-5), Now.AddSeconds(-1)), (app.LastState.Terminated.StartedAt, app.LastState.Terminated.FinishedAt));
        Assert.False(app.Ready);
        Assert.Equal("Running", status.Phase);
    }

    [Theory]
    [InlineData(0, "", "Completed")]
    [InlineData(1, "", "Error")]
    [InlineData(137, "OOMKilled", "OOMKilled")]
    [InlineData(0, "Custom", "Custom")]
    public void Terminated_TakesTheRuntimeReason_ElseCompletedForZero_ErrorOtherwise(int exitCode, string runtimeReason, string reason)
    {
        var status = Compute(Pod("p", "Never"), new Dictionary<string, ContainerWaiting>(), null, Exited("app", exitCode, reason: runtimeReason));
        var terminated = Assert.Single(status.ContainerStatuses).State.Terminated;
        Assert.Equal((exitCode, reason, "fake://app-0"), (terminated.ExitCode, terminated.Reason, terminated.ContainerID));
        Assert.NotNull(terminated.StartedAt);
        Assert.NotNull(terminated.FinishedAt);
    }
}
