using Cetus.Cri.Fake;
using Cetus.Cri.V1;
using Cetus.Kubelet.Events;
using Grpc.Core;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Events;

/// <summary>The kubelet's pod events (reason, type, message, involvedObject with its fieldPath), as upstream records them.</summary>
public sealed class PodEventsTests : IDisposable
{
    private const string Normal = "Normal";
    private const string Warning = "Warning";
    private readonly PodSpecFixture _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task NormalStart_RecordsPulledCreatedStarted_PerContainer_WithItsFieldPath()
    {
        // The init container's image is not on the node: it is pulled; the app's is present (pull policy IfNotPresent).
        var pod = Pod("web", init: [Container("setup", image: "busybox:1.36")], containers: [Container("app")]);
        var status = (await _node.RunAsync(pod)).Status;
        Assert.Equal("Running", status.Phase);

        var init = _node.Events.About("spec.initContainers{setup}");
        Assert.Equal(
            [(Normal, "Pulling", "Pulling image \"busybox:1.36\""), (Normal, "Created", "Created container: setup"), (Normal, "Started", "Started container setup")],
            init.Where(e => e.Reason != "Pulled"));
        Assert.Equal("Pulled", init[1].Reason);
        Assert.Matches(@"^Successfully pulled image ""busybox:1\.36"" in \d+(\.\d+)?m?s \(\d+(\.\d+)?m?s including waiting\)\. Image size: \d+ bytes\.$", init[1].Message);
        Assert.Equal(
            [(Normal, "Pulled", "Container image \"nginx:1.27\" already present on machine"), (Normal, "Created", "Created container: app"), (Normal, "Started", "Started container app")],
            _node.Events.About("spec.containers{app}"));

        Assert.Equal(7, _node.Events.Events.Count);
        Assert.All(_node.Events.Events, e => Assert.Equal(("v1", "Pod", "web", "default", "uid-web"), (e.Involved.ApiVersion, e.Involved.Kind, e.Involved.Name, e.Involved.NamespaceProperty, e.Involved.Uid)));
    }

    [Fact]
    public async Task MissingImage_WithPullPolicyNever_RecordsErrImageNeverPull_AndFailed()
    {
        var app = Container("app", image: "registry.local/missing:1");
        app.ImagePullPolicy = "Never";
        var status = (await _node.RunAsync(Pod("web", containers: [app]))).Status;

        Assert.Equal("ErrImageNeverPull", Assert.Single(status.ContainerStatuses).State.Waiting.Reason);
        Assert.Equal(
            [
                (Warning, "ErrImageNeverPull", "Container image \"registry.local/missing:1\" is not present with pull policy of Never"),
                (Warning, "Failed", "Error: ErrImageNeverPull"),
            ],
            _node.Events.About("spec.containers{app}"));
        Assert.DoesNotContain(_node.Events.Events, e => e.Reason is "Pulling" or "Created");
    }

    [Fact]
    public async Task FailedPull_RecordsTheCriError_ThenErrImagePull()
    {
        _node.Runtime.FailNext("PullImage", StatusCode.NotFound, "failed to resolve reference \"registry.local/nope:1\": not found");
        await _node.RunAsync(Pod("web", containers: [Container("app", image: "registry.local/nope:1")]));

        Assert.Equal(
            [
                (Normal, "Pulling", "Pulling image \"registry.local/nope:1\""),
                (Warning, "Failed", "Failed to pull image \"registry.local/nope:1\": rpc error: code = NotFound desc = failed to resolve reference \"registry.local/nope:1\": not found"),
                (Warning, "Failed", "Error: ErrImagePull"),
            ],
            _node.Events.About("spec.containers{app}"));
    }

    [Fact]
    public async Task ContainerConfigError_AndCreateContainerError_RecordFailed()
    {
        var app = Container("app");
        app.Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "absent", Key = "x" } } }];
        var status = (await _node.RunAsync(Pod("web", containers: [app, Container("other")]))).Status;

        Assert.Equal("CreateContainerConfigError", status.ContainerStatuses.Single(c => c.Name == "app").State.Waiting.Reason);
        Assert.Equal((Warning, "Failed", "Error: configmap \"absent\" not found"), _node.Events.About("spec.containers{app}").Last());

        _node.Runtime.FailNext("CreateContainer", StatusCode.Unknown, "failed to create containerd container: boom");
        var second = Pod("second", containers: [Container("app")]);
        status = (await _node.RunAsync(second)).Status;
        Assert.Equal(("CreateContainerError", "failed to create containerd container: boom"), (status.ContainerStatuses[0].State.Waiting.Reason, status.ContainerStatuses[0].State.Waiting.Message));
        var events = _node.Events.Events.Where(e => e.Involved.Name == "second").Select(e => (e.Type, e.Reason, e.Message)).ToList();
        Assert.Equal((Warning, "Failed", "Error: failed to create containerd container: boom"), events[1]);
    }

    [Fact]
    public async Task Deletion_RecordsKillingPerRunningContainer()
    {
        await _node.RunAsync(Pod("web", containers: [Container("app"), Container("side")]));
        var pod = _node.Client.Pod("web");
        pod.Metadata.DeletionTimestamp = _node.Time.GetUtcNow().UtcDateTime.AddSeconds(30);
        pod.Metadata.DeletionGracePeriodSeconds = 30;
        await _node.Sync.SyncAsync(pod, CancellationToken.None);

        Assert.Equal((Normal, "Killing", "Stopping container app"), _node.Events.About("spec.containers{app}").Last());
        Assert.Equal((Normal, "Killing", "Stopping container side"), _node.Events.About("spec.containers{side}").Last());
    }

    [Fact]
    public async Task SandboxFailure_RecordsFailedCreatePodSandBox_AndADeadSandbox_SandboxChanged()
    {
        _node.Runtime.FailNext("RunPodSandbox", StatusCode.Unknown, "failed to setup network for sandbox");
        _node.Client.Add(Pod("web"));
        await Assert.ThrowsAsync<RpcException>(() => _node.Sync.SyncAsync(_node.Client.Pod("web"), CancellationToken.None));
        Assert.Equal(
            (Warning, "FailedCreatePodSandBox", "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox"),
            Assert.Single(_node.Events.About(null)));

        await _node.RunAsync(_node.Client.Pod("web"));
        var sandbox = Assert.Single(await _node.Runtime.ListPodSandboxAsync(null, CancellationToken.None));
        await _node.Runtime.StopPodSandboxAsync(sandbox.Id, CancellationToken.None);
        await _node.RunAsync(_node.Client.Pod("web"));
        Assert.Equal((Normal, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created."), _node.Events.About(null).Last());
    }

    [Fact]
    public async Task VolumeThatCannotBeSetUp_RecordsFailedMount_OnThePod()
    {
        var pod = Pod("web");
        pod.Spec.Volumes = [new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = "absent" } }];
        await _node.RunAsync(pod);

        Assert.Equal(
            (Warning, "FailedMount", "MountVolume.SetUp failed for volume \"config\" : configmap \"absent\" not found"),
            Assert.Single(_node.Events.About(null)));
        Assert.Equal(0, _node.Runtime.ContainerCount);
    }

    [Fact]
    public void References_AreThePodsWithTheContainersFieldPath_AndTheNodeByName()
    {
        var pod = Pod("web", init: [Container("setup")], containers: [Container("app")]);
        Assert.Equal("spec.containers{app}", KubeletEvents.ContainerRef(pod, "app").FieldPath);
        Assert.Equal("spec.initContainers{setup}", KubeletEvents.ContainerRef(pod, "setup").FieldPath);
        var node = KubeletEvents.NodeRef("node-1");
        Assert.Equal(("Node", "node-1", "node-1", null), (node.Kind, node.Name, node.Uid, node.NamespaceProperty));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(512, "512ms")]
    [InlineData(1234, "1.234s")]
    [InlineData(61500, "1m1.5s")]
    [InlineData(3_600_000, "1h0m0s")]
    public void PullDurations_ArePrintedAsGoDoes(int milliseconds, string text) =>
        Assert.Equal(text, KubeletEvents.GoDuration(TimeSpan.FromMilliseconds(milliseconds)));
}
