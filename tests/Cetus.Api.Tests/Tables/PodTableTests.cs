using Cetus.Api.Resources.Pods;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Tables;

public sealed class PodTableTests
{
    private static readonly Dictionary<string, Func<V1Pod>> Pods = new()
    {
        ["pending, nothing reported"] = () => new PodBuilder("Pending", "app").Build(),
        ["creating container"] = () => new PodBuilder("Pending", "app").Waiting("app", "ContainerCreating").Build(),
        ["image pull failing"] = () => new PodBuilder("Pending", "app").Waiting("app", "ErrImagePull").Build(),
        ["running and ready"] = () => new PodBuilder("Running", "app", "log").Running("app").Running("log").Condition("Ready", "True").Build(),
        ["running, one not ready"] = () => new PodBuilder("Running", "app", "log").Running("app").Running("log", ready: false).Build(),
        ["completed"] = () => new PodBuilder("Succeeded", "app").Terminated("app", 0, "Completed").Build(),
        ["failed with error"] = () => new PodBuilder("Failed", "app").Terminated("app", 1, "Error").Build(),
        ["killed without reason"] = () => new PodBuilder("Running", "app").Terminated("app", 137).Build(),
        ["signalled without reason"] = () => new PodBuilder("Running", "app").Terminated("app", 137, signal: 9).Build(),
        ["crash loop"] = () => new PodBuilder("Running", "app").Waiting("app", "CrashLoopBackOff", restarts: 3).LastTerminated(TimeSpan.FromMinutes(5)).Build(),
        ["first container's reason wins"] = () => new PodBuilder("Running", "a", "b").Waiting("a", "CrashLoopBackOff").Waiting("b", "ImagePullBackOff").Build(),
        ["one done, one running, pod ready"] = () => new PodBuilder("Running", "job", "side").Terminated("job", 0, "Completed").Running("side").Condition("Ready", "True").Build(),
        ["one done, one running, pod not ready"] = () => new PodBuilder("Running", "job", "side").Terminated("job", 0, "Completed").Running("side").Build(),
        ["terminating"] = () => new PodBuilder("Running", "app").Running("app").Deleting().Build(),
        ["terminating after success"] = () => new PodBuilder("Succeeded", "app").Terminated("app", 0, "Completed").Deleting().Build(),
        ["node lost"] = () => new PodBuilder("Running", "app").Running("app").Reason("NodeLost").Deleting().Build(),
        ["evicted"] = () => new PodBuilder("Failed", "app").Reason("Evicted").Build(),
        ["scheduling gated"] = () => new PodBuilder("Pending", "app").Condition("PodScheduled", "False", "SchedulingGated").Build(),
        ["first init running"] = () => new PodBuilder("Pending", "app").Init("setup").Init("migrate").InitRunning("setup").InitWaiting("migrate", "PodInitializing").Build(),
        ["second init running"] = () => new PodBuilder("Pending", "app").Init("setup").Init("migrate").InitTerminated("setup", 0, "Completed").InitRunning("migrate").Build(),
        ["init waiting to initialize"] = () => new PodBuilder("Pending", "app").Init("setup").InitWaiting("setup", "PodInitializing").Build(),
        ["init crash loop"] = () => new PodBuilder("Pending", "app").Init("setup").InitWaiting("setup", "CrashLoopBackOff", restarts: 4).LastTerminated(TimeSpan.FromSeconds(40), init: true).Build(),
        ["init failed"] = () => new PodBuilder("Failed", "app").Init("setup").InitTerminated("setup", 1, "Error").Build(),
        ["init exit code"] = () => new PodBuilder("Pending", "app").Init("setup").InitTerminated("setup", 2).Build(),
        ["init signal"] = () => new PodBuilder("Pending", "app").Init("setup").InitTerminated("setup", 143, signal: 15).Build(),
        ["init done, restarts forgotten"] = () => new PodBuilder("Running", "app").Init("setup").InitTerminated("setup", 0, "Completed", restarts: 2).LastTerminated(TimeSpan.FromMinutes(50), init: true).Running("app").Condition("Initialized", "True").Build(),
        ["sidecar started and ready"] = () => new PodBuilder("Running", "app").Init("proxy", sidecar: true).InitRunning("proxy", restarts: 1).LastTerminated(TimeSpan.FromMinutes(2), init: true).Running("app").Condition("Initialized", "True").Build(),
        ["sidecar not started"] = () => new PodBuilder("Pending", "app").Init("proxy", sidecar: true).InitRunning("proxy", started: false, ready: false).Build(),
    };

    [Theory]
    [InlineData("pending, nothing reported", "0/1", "Pending", "0")]
    [InlineData("creating container", "0/1", "ContainerCreating", "0")]
    [InlineData("image pull failing", "0/1", "ErrImagePull", "0")]
    [InlineData("running and ready", "2/2", "Running", "0")]
    [InlineData("running, one not ready", "1/2", "Running", "0")]
    [InlineData("completed", "0/1", "Completed", "0")]
    [InlineData("failed with error", "0/1", "Error", "0")]
    [InlineData("killed without reason", "0/1", "ExitCode:137", "0")]
    [InlineData("signalled without reason", "0/1", "Signal:9", "0")]
    [InlineData("crash loop", "0/1", "CrashLoopBackOff", "3 (5m ago)")]
    [InlineData("first container's reason wins", "0/2", "CrashLoopBackOff", "0")]
    [InlineData("one done, one running, pod ready", "1/2", "Running", "0")]
    [InlineData("one done, one running, pod not ready", "1/2", "NotReady", "0")]
    [InlineData("terminating", "1/1", "Terminating", "0")]
    [InlineData("terminating after success", "0/1", "Completed", "0")]
    [InlineData("node lost", "1/1", "Unknown", "0")]
    [InlineData("evicted", "0/1", "Evicted", "0")]
    [InlineData("scheduling gated", "0/1", "SchedulingGated", "0")]
    [InlineData("first init running", "0/1", "Init:0/2", "0")]
    [InlineData("second init running", "0/1", "Init:1/2", "0")]
    [InlineData("init waiting to initialize", "0/1", "Init:0/1", "0")]
    [InlineData("init crash loop", "0/1", "Init:CrashLoopBackOff", "4 (40s ago)")]
    [InlineData("init failed", "0/1", "Init:Error", "0")]
    [InlineData("init exit code", "0/1", "Init:ExitCode:2", "0")]
    [InlineData("init signal", "0/1", "Init:Signal:15", "0")]
    [InlineData("init done, restarts forgotten", "1/1", "Running", "0")]
    [InlineData("sidecar started and ready", "2/2", "Running", "1 (2m ago)")]
    [InlineData("sidecar not started", "0/2", "Init:0/1", "0")]
    public void Row_ShowsReadyStatusAndRestartsAsKubectl(string pod, string ready, string status, string restarts)
    {
        var row = new TableRow(new PodTable(), Pods[pod]());

        Assert.Equal("web-1", row["Name"]);
        Assert.Equal(ready, row["Ready"]);
        Assert.Equal(status, row["Status"]);
        Assert.Equal(restarts, row["Restarts"]);
        Assert.Equal("60m", row["Age"]);
    }

    [Fact]
    public void Row_WideCells_ShowPlacementAndReadinessGates()
    {
        var pod = new PodBuilder("Running", "app").Running("app").Condition("example.com/lb", "True").Condition("example.com/dns", "False").Build();
        pod.Spec.NodeName = "node-1";
        pod.Spec.ReadinessGates = [new V1PodReadinessGate { ConditionType = "example.com/lb" }, new V1PodReadinessGate { ConditionType = "example.com/dns" }, new V1PodReadinessGate { ConditionType = "example.com/fw" }];
        pod.Status.PodIPs = [new V1PodIP { Ip = "10.42.0.7" }, new V1PodIP { Ip = "fd00::7" }];
        pod.Status.NominatedNodeName = "node-2";

        var row = new TableRow(new PodTable(), pod);

        Assert.Equal("10.42.0.7", row["IP"]);
        Assert.Equal("node-1", row["Node"]);
        Assert.Equal("node-2", row["Nominated Node"]);
        Assert.Equal("1/3", row["Readiness Gates"]);
    }

    [Fact]
    public void Row_WideCells_OfUnscheduledPod_AreNone()
    {
        var row = new TableRow(new PodTable(), new PodBuilder("Pending", "app").Build());

        Assert.Equal("<none>", row["IP"]);
        Assert.Equal("<none>", row["Node"]);
        Assert.Equal("<none>", row["Nominated Node"]);
        Assert.Equal("<none>", row["Readiness Gates"]);
    }

    [Fact]
    public void Columns_AreKubernetesPodColumns()
    {
        var columns = new PodTable().Columns;

        Assert.Equal(["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"], columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1], columns.Select(c => c.Priority));
        Assert.All(columns, c => Assert.Equal("string", c.Type));
        Assert.Equal("name", columns[0].Format);
    }
}
