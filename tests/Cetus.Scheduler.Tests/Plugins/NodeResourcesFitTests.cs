using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Plugins.NodeResourcesFit;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Plugins;

public sealed class NodeResourcesFitTests
{
    private readonly NodeResourcesFit _plugin = new();

    [Theory]
    [InlineData("1", "1Gi", null, null, null)]
    [InlineData("1", "1Gi", "1500m", "1Gi", "Unschedulable: Insufficient cpu")]
    [InlineData("1", "7Gi", "1500m", "2Gi", "Unschedulable: Insufficient cpu, Insufficient memory")]
    [InlineData("500m", "1Gi", "1500m", "1Gi", null)]
    [InlineData("3", "1Gi", null, null, "UnschedulableAndUnresolvable: Insufficient cpu")]
    [InlineData(null, null, "2", "8Gi", null)]
    public void Filter_ComparesRequestsWithWhatIsLeft(string? cpu, string? memory, string? usedCpu, string? usedMemory, string? expected)
    {
        var node = Build.Node("n", cpu: "2", memory: "8Gi");
        var info = usedCpu is null ? Build.Info(node) : Build.Info(node, Build.Pod("used", usedCpu, usedMemory));

        var status = Run(Build.Pod("p", cpu, memory), info);

        Assert.Equal(expected, status?.ToString());
    }

    [Fact]
    public void Filter_TooManyPods()
    {
        var info = Build.Info(Build.Node("n", pods: "1"), Build.Pod("used"));

        Assert.Equal("Unschedulable: Too many pods", Run(Build.Pod("p"), info)?.ToString());
    }

    [Fact]
    public void Filter_ExtendedAndEphemeralResources()
    {
        var pod = Build.Pod("p");
        pod.Spec.Containers[0] = Build.Container(extra: new() { ["example.com/gpu"] = "2", ["ephemeral-storage"] = "200Gi" });
        var info = Build.Info(Build.Node("n", extra: new() { ["example.com/gpu"] = "1" }));

        Assert.Equal("UnschedulableAndUnresolvable: Insufficient ephemeral-storage, Insufficient example.com/gpu", Run(pod, info)?.ToString());
        Assert.Equal("Unschedulable: Insufficient cpu", Run(Build.Pod("q", cpu: "1"), Build.Info(Build.Node("n", cpu: "1"), Build.Pod("u", cpu: "1")))?.ToString());
    }

    [Fact]
    public void Requests_TakeTheLargestInitContainerWhenItExceedsTheApps()
    {
        var pod = Build.Pod("p", cpu: "1");
        pod.Spec.InitContainers = [Build.Container("init", cpu: "3")];

        Assert.Equal(3000, PodRequests.Of(pod).MilliCpu);
    }

    [Fact]
    public void Requests_AddNativeSidecarsToAppsAndToLaterInitContainers()
    {
        var pod = Build.Pod("p", cpu: "1");
        pod.Spec.InitContainers = [Build.Container("sidecar", cpu: "500m", restartPolicy: "Always"), Build.Container("init", cpu: "2")];
        Assert.Equal(2500, PodRequests.Of(pod).MilliCpu);

        pod.Spec.InitContainers = [Build.Container("init", cpu: "1200m"), Build.Container("sidecar", cpu: "500m", restartPolicy: "Always")];
        Assert.Equal(1500, PodRequests.Of(pod).MilliCpu);
    }

    [Fact]
    public void Requests_IncludeOverhead()
    {
        var pod = Build.Pod("p", cpu: "1", memory: "1Gi");
        pod.Spec.Overhead = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("64Mi") };

        var requests = PodRequests.Of(pod);

        Assert.Equal(1250, requests.MilliCpu);
        Assert.Equal((1024L + 64) * 1024 * 1024, requests.MemoryBytes);
    }

    [Theory]
    [InlineData("1", "2Gi", null, null, 75)]
    [InlineData("1", "2Gi", "2", "4Gi", 25)]
    [InlineData(null, null, null, null, 97)]
    [InlineData("5", "2Gi", null, null, 37)]
    public void Score_LeastAllocated(string? cpu, string? memory, string? usedCpu, string? usedMemory, long expected)
    {
        var node = Build.Node("n", cpu: "4", memory: "8Gi");
        var info = usedCpu is null ? Build.Info(node) : Build.Info(node, Build.Pod("used", usedCpu, usedMemory));

        var pod = Build.Pod("p", cpu, memory);

        var (score, _) = _plugin.Score(new CycleState(), pod, info);

        // The same once PreScore has computed the pod's requests for the cycle, as the framework runs it.
        var state = new CycleState();
        Assert.Null(_plugin.PreScore(state, pod, [info]));
        var (afterPreScore, _) = _plugin.Score(state, pod, info);
        Assert.Equal((expected, expected), (score, afterPreScore));
    }

    private Status? Run(V1Pod pod, NodeInfo node)
    {
        var state = new CycleState();
        _plugin.PreFilter(state, pod, [node]);
        return _plugin.Filter(state, pod, node);
    }
}
