using Cetus.Kubelet.Status;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Status;

/// <summary>Phase, conditions and container statuses as Kubernetes' kubelet computes them.</summary>
public sealed class PodStatusCalculatorTests
{
    private static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, 500, DateTimeKind.Utc);
    private static readonly Dictionary<string, ContainerWaiting> NoWaiting = [];

    private static RuntimeContainer Running(string name, uint attempt = 0) => new(name, attempt, $"{name}-{attempt}", RuntimeContainerState.Running, Now.AddSeconds(-5), null, 0, "", "", "sha256:img");

    private static RuntimeContainer Exited(string name, int code, uint attempt = 0, string reason = "") => new(name, attempt, $"{name}-{attempt}", RuntimeContainerState.Exited, Now.AddSeconds(-5), Now.AddSeconds(-1), code, reason, "", "sha256:img");

    private static RuntimeContainer Created(string name) => new(name, 0, name + "-0", RuntimeContainerState.Created, null, null, 0, "", "", "sha256:img");

    private static RuntimePodState State(params RuntimeContainer[] containers) => new(true, "10.88.0.2", containers, "fake");

    private static V1PodStatus Compute(V1Pod pod, RuntimePodState state, bool terminal = false) => PodStatusCalculator.Compute(pod, state, NoWaiting, "192.168.0.1", Now, terminal);

    // (because, restartPolicy, runtime containers of app containers a and b, terminal, phase)
    public static TheoryData<string, string, RuntimeContainer[], bool, string> Phases => new()
    {
        { "nothing created yet", "Always", [], false, "Pending" },
        { "one container created, not started", "Always", [Running("a"), Created("b")], false, "Pending" },
        { "all running", "Always", [Running("a"), Running("b")], false, "Running" },
        { "one running, one missing", "Always", [Running("a")], false, "Pending" },
        { "Always: exited containers restart", "Always", [Exited("a", 0), Exited("b", 1)], false, "Running" },
        { "Never: all succeeded", "Never", [Exited("a", 0), Exited("b", 0)], false, "Succeeded" },
        { "Never: one failed", "Never", [Exited("a", 0), Exited("b", 1)], false, "Failed" },
        { "OnFailure: all succeeded", "OnFailure", [Exited("a", 0), Exited("b", 0)], false, "Succeeded" },
        { "OnFailure: a failure restarts", "OnFailure", [Exited("a", 0), Exited("b", 1)], false, "Running" },
        { "OnFailure: one still running", "OnFailure", [Exited("a", 0), Running("b")], false, "Running" },
        { "terminal: stopped with 0", "Always", [Exited("a", 0), Exited("b", 0)], true, "Succeeded" },
        { "terminal: killed with 137", "Always", [Exited("a", 137), Exited("b", 0)], true, "Failed" },
    };

    [Theory]
    [MemberData(nameof(Phases))]
    public void Phase_FollowsTheKubeletRules(string because, string restartPolicy, RuntimeContainer[] containers, bool terminal, string phase)
    {
        var pod = Pod("p", restartPolicy, containers: [Container("a"), Container("b")]);
        Assert.True(phase == Compute(pod, State(containers), terminal).Phase, because);
    }

    public static TheoryData<string, string, RuntimeContainer[], string> InitPhases => new()
    {
        { "first init container running", "Always", [Running("i1")], "Pending" },
        { "first done, second missing", "Always", [Exited("i1", 0)], "Pending" },
        { "init failed, Never", "Never", [Exited("i1", 1)], "Failed" },
        { "init failed, Always (it is retried)", "Always", [Exited("i1", 1)], "Pending" },
        { "inits done, app running", "Always", [Exited("i1", 0), Exited("i2", 0), Running("a")], "Running" },
    };

    [Theory]
    [MemberData(nameof(InitPhases))]
    public void Phase_WaitsForInitContainers(string because, string restartPolicy, RuntimeContainer[] containers, string phase)
    {
        var pod = Pod("p", restartPolicy, init: [Container("i1"), Container("i2")], containers: [Container("a")]);
        Assert.True(phase == Compute(pod, State(containers)).Phase, because);
    }

    [Fact]
    public void RunningPod_HasEveryConditionTrue_InKubeletOrder_AndItsContainerStatuses()
    {
        var pod = Pod("p", init: [Container("setup", limitCpu: "1", limitMemory: "1Gi")], containers: [Container("a", limitCpu: "1", limitMemory: "1Gi")]);
        var status = Compute(pod, State(Exited("setup", 0), Running("a")));

        Assert.Equal("Running", status.Phase);
        Assert.Equal(["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"], status.Conditions.Select(c => c.Type));
        Assert.All(status.Conditions, c => Assert.Equal(("True", new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc)), (c.Status, c.LastTransitionTime)));
        Assert.Equal(("192.168.0.1", "10.88.0.2", QosClasses.Guaranteed), (status.HostIP, status.PodIP, status.QosClass));
        Assert.Equal(new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc), status.StartTime);
        var app = Assert.Single(status.ContainerStatuses);
        Assert.Equal(("a", true, true, 0, "fake://a-0", "sha256:img", "nginx:1.27"), (app.Name, app.Ready, app.Started, app.RestartCount, app.ContainerID, app.ImageID, app.Image));
        Assert.NotNull(app.State.Running);
        var init = Assert.Single(status.InitContainerStatuses);
        Assert.Equal((true, false, 0, "Completed"), (init.Ready, init.Started, init.State.Terminated.ExitCode, init.State.Terminated.Reason));
    }

    [Fact]
    public void PendingInit_ReportsIncompleteAndUnreadyContainers_ByName()
    {
        var pod = Pod("p", init: [Container("i1"), Container("i2")], containers: [Container("a"), Container("b")]);
        var status = Compute(pod, State(Running("i1")));

        var initialized = status.Conditions.Single(c => c.Type == "Initialized");
        Assert.Equal(("False", "ContainersNotInitialized", "containers with incomplete status: [i1 i2]"), (initialized.Status, initialized.Reason, initialized.Message));
        var containersReady = status.Conditions.Single(c => c.Type == "ContainersReady");
        Assert.Equal(("False", "ContainersNotReady", "containers with unready status: [a b]"), (containersReady.Status, containersReady.Reason, containersReady.Message));
        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "ContainersNotReady"), (ready.Status, ready.Reason));
        Assert.Equal(["PodInitializing", "PodInitializing"], status.ContainerStatuses.Select(c => c.State.Waiting?.Reason));
        Assert.Equal("PodInitializing", status.InitContainerStatuses[1].State.Waiting?.Reason);
    }

    [Fact]
    public void NoSandbox_PodReadyToStartContainersIsFalse_AndContainersAreCreating()
    {
        var status = Compute(Pod("p"), RuntimePodState.Empty("fake"));
        Assert.Equal("False", status.Conditions.Single(c => c.Type == "PodReadyToStartContainers").Status);
        Assert.Equal("ContainerCreating", Assert.Single(status.ContainerStatuses).State.Waiting.Reason);
        Assert.Null(status.PodIP);
        Assert.Equal("Pending", status.Phase);
    }

    [Fact]
    public void RestartedContainer_CountsRestarts_AndKeepsTheLastTermination()
    {
        var status = Compute(Pod("p"), State(Exited("app", 1, attempt: 0), Exited("app", 2, attempt: 1), Running("app", attempt: 2)));
        var app = Assert.Single(status.ContainerStatuses);
        Assert.Equal(2, app.RestartCount);
        Assert.NotNull(app.State.Running);
        Assert.Equal((2, "Error", "fake://app-1"), (app.LastState.Terminated.ExitCode, app.LastState.Terminated.Reason, app.LastState.Terminated.ContainerID));
    }

    [Fact]
    public void OomKilledContainer_KeepsTheRuntimeReason()
    {
        var status = Compute(Pod("p", "Never"), State(Exited("app", 137, reason: "OOMKilled")));
        Assert.Equal(("Failed", "OOMKilled", 137), (status.Phase, status.ContainerStatuses[0].State.Terminated.Reason, status.ContainerStatuses[0].State.Terminated.ExitCode));
    }

    [Fact]
    public void SucceededPod_ContainersReadyAndReadyArePodCompleted()
    {
        var status = Compute(Pod("p", "Never"), State(Exited("app", 0)));
        Assert.Equal("Succeeded", status.Phase);
        Assert.All(status.Conditions.Where(c => c.Type is "Ready" or "ContainersReady"), c => Assert.Equal(("False", "PodCompleted"), (c.Status, c.Reason)));
    }

    [Fact]
    public void ReadinessGate_KeepsReadyFalse_UntilItsConditionIsTrue()
    {
        var pod = Pod("p");
        pod.Spec.ReadinessGates = [new V1PodReadinessGate { ConditionType = "example.com/lb" }];
        var missing = Compute(pod, State(Running("app"))).Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "ReadinessGatesNotReady", "corresponding condition of pod readiness gate \"example.com/lb\" does not exist."), (missing.Status, missing.Reason, missing.Message));

        pod.Status = new V1PodStatus { Conditions = [new V1PodCondition { Type = "example.com/lb", Status = "True" }] };
        Assert.Equal("True", Compute(pod, State(Running("app"))).Conditions.Single(c => c.Type == "Ready").Status);
    }

    [Fact]
    public void UnchangedConditions_KeepTheirTransitionTime_ChangedOnesTakeNow()
    {
        var earlier = new DateTime(2026, 1, 1, 11, 0, 0, DateTimeKind.Utc);
        var pod = Pod("p");
        pod.Status = new V1PodStatus
        {
            StartTime = earlier,
            Conditions =
            [
                new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = earlier.AddMinutes(-1) },
                new V1PodCondition { Type = "PodReadyToStartContainers", Status = "True", LastTransitionTime = earlier },
                new V1PodCondition { Type = "Ready", Status = "False", LastTransitionTime = earlier },
            ],
        };
        var status = Compute(pod, State(Running("app")));
        Assert.Equal(earlier, status.StartTime);
        Assert.Equal(earlier.AddMinutes(-1), status.Conditions.Single(c => c.Type == "PodScheduled").LastTransitionTime);
        Assert.Equal(earlier, status.Conditions.Single(c => c.Type == "PodReadyToStartContainers").LastTransitionTime);
        Assert.Equal(new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc), status.Conditions.Single(c => c.Type == "Ready").LastTransitionTime);
    }

    [Fact]
    public void NativeSidecar_CountsAsInitializedOnceRunning_AndMustBeReady()
    {
        var pod = Pod("p", init: [Container("proxy", restartPolicy: "Always")], containers: [Container("app")]);
        var status = Compute(pod, State(Running("proxy"), Running("app")));
        Assert.Equal("Running", status.Phase);
        Assert.Equal("True", status.Conditions.Single(c => c.Type == "Initialized").Status);
        Assert.True(Assert.Single(status.InitContainerStatuses).Ready);
        Assert.Equal("True", status.Conditions.Single(c => c.Type == "ContainersReady").Status);
    }

    [Fact]
    public void TerminalPhase_NeverGoesBack()
    {
        var pod = Pod("p", "Never");
        pod.Status = new V1PodStatus { Phase = "Failed" };
        Assert.Equal("Failed", Compute(pod, State(Running("app"))).Phase);
    }
}
