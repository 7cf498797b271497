using Cetus.Cri.Fake;
using Cetus.Cri.V1;
using Grpc.Core;
using Xunit;

namespace Cetus.Cri.Tests;

/// <summary>The in-memory runtime behaves as the CRI contract says (state machine, filters, idempotent stops, errors).</summary>
public sealed class FakeRuntimeTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    internal static PodSandboxConfig Sandbox(string uid, string name = "p") => new()
    {
        Metadata = new PodSandboxMetadata { Name = name, Namespace = "default", Uid = uid },
        Labels = { ["io.kubernetes.pod.uid"] = uid },
    };

    internal static ContainerConfig Container(string name, string image = "nginx:1.27", uint attempt = 0) => new()
    {
        Metadata = new ContainerMetadata { Name = name, Attempt = attempt },
        Image = new ImageSpec { Image = image },
        Labels = { ["io.kubernetes.container.name"] = name },
    };

    [Fact]
    public async Task Sandbox_GetsAnIPFromItsPrefix_AndReleasesItOnRemove()
    {
        var runtime = new FakeRuntime(new FakeRuntimeOptions { PodIPPrefix = "10.9.8." });
        var a = await runtime.RunPodSandboxAsync(Sandbox("a"), "", None);
        var b = await runtime.RunPodSandboxAsync(Sandbox("b"), "", None);
        Assert.Equal("10.9.8.2", (await runtime.PodSandboxStatusAsync(a, None)).Network.Ip);
        Assert.Equal("10.9.8.3", (await runtime.PodSandboxStatusAsync(b, None)).Network.Ip);

        await runtime.StopPodSandboxAsync(a, None);
        Assert.Equal(PodSandboxState.SandboxNotready, (await runtime.PodSandboxStatusAsync(a, None)).State);
        await runtime.RemovePodSandboxAsync(a, None);
        await runtime.RemovePodSandboxAsync(a, None);
        var c = await runtime.RunPodSandboxAsync(Sandbox("c"), "", None);
        Assert.Equal("10.9.8.2", (await runtime.PodSandboxStatusAsync(c, None)).Network.Ip);
        var missing = await Assert.ThrowsAsync<RpcException>(() => runtime.PodSandboxStatusAsync(a, None));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Container_IsCreatedThenRunsAtOnce_AndStopExitsWithTheStopCode()
    {
        var time = new ManualTime();
        var runtime = new FakeRuntime(new FakeRuntimeOptions { Time = time, Images = ["nginx:1.27"], StopExitCode = 143 });
        var sandbox = await runtime.RunPodSandboxAsync(Sandbox("u"), "", None);
        var id = await runtime.CreateContainerAsync(sandbox, Container("app"), Sandbox("u"), None);
        Assert.Equal(ContainerState.ContainerCreated, (await runtime.ContainerStatusAsync(id, None)).State);

        time.Advance(TimeSpan.FromSeconds(1));
        await runtime.StartContainerAsync(id, None);
        var running = await runtime.ContainerStatusAsync(id, None);
        Assert.Equal(ContainerState.ContainerRunning, running.State);
        Assert.Equal((time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100, running.StartedAt);
        Assert.StartsWith("sha256:", running.ImageRef, StringComparison.Ordinal);

        await runtime.StopContainerAsync(id, 30, None);
        await runtime.StopContainerAsync(id, 30, None);
        var stopped = await runtime.ContainerStatusAsync(id, None);
        Assert.Equal((ContainerState.ContainerExited, 143, "Error"), (stopped.State, stopped.ExitCode, stopped.Reason));

        await runtime.RemoveContainerAsync(id, None);
        await runtime.RemoveContainerAsync(id, None);
        Assert.Equal(0, runtime.ContainerCount);
    }

    [Fact]
    public async Task Behavior_MakesChosenContainersExitAtOnce_WithTheirExitCode()
    {
        var runtime = new FakeRuntime(new FakeRuntimeOptions
        {
            Images = ["busybox:1.35"],
            Behavior = c => c.Metadata.Name switch { "init" => FakeContainerOutcome.Succeed, "crash" => new FakeContainerOutcome(1), "oom" => new FakeContainerOutcome(137, "OOMKilled"), _ => FakeContainerOutcome.Run },
        });
        var sandbox = await runtime.RunPodSandboxAsync(Sandbox("u"), "", None);
        var results = new Dictionary<string, ContainerStatus>();
        foreach (var name in new[] { "init", "crash", "oom", "app" })
        {
            var id = await runtime.CreateContainerAsync(sandbox, Container(name, "busybox:1.35"), Sandbox("u"), None);
            await runtime.StartContainerAsync(id, None);
            results[name] = await runtime.ContainerStatusAsync(id, None);
        }

        Assert.Equal((ContainerState.ContainerExited, 0, "Completed"), (results["init"].State, results["init"].ExitCode, results["init"].Reason));
        Assert.Equal((ContainerState.ContainerExited, 1, "Error"), (results["crash"].State, results["crash"].ExitCode, results["crash"].Reason));
        Assert.Equal((ContainerState.ContainerExited, 137, "OOMKilled"), (results["oom"].State, results["oom"].ExitCode, results["oom"].Reason));
        Assert.Equal(ContainerState.ContainerRunning, results["app"].State);

        runtime.ExitContainer(results["app"].Id, 2);
        Assert.Equal((ContainerState.ContainerExited, 2), ((await runtime.ContainerStatusAsync(results["app"].Id, None)).State, (await runtime.ContainerStatusAsync(results["app"].Id, None)).ExitCode));
    }

    [Fact]
    public async Task FailNext_FailsOnlyTheNextCallOfThatMethod()
    {
        var runtime = new FakeRuntime(new FakeRuntimeOptions { Images = ["nginx:1.27"] });
        runtime.FailNext("RunPodSandbox", StatusCode.Unavailable, "network down");
        var failure = await Assert.ThrowsAsync<RpcException>(() => runtime.RunPodSandboxAsync(Sandbox("u"), "", None));
        Assert.Equal((StatusCode.Unavailable, "network down"), (failure.StatusCode, failure.Status.Detail));
        var sandbox = await runtime.RunPodSandboxAsync(Sandbox("u"), "", None);
        Assert.Equal(1, runtime.SandboxCount);

        runtime.FailNext("StartContainer");
        var id = await runtime.CreateContainerAsync(sandbox, Container("app"), Sandbox("u"), None);
        await Assert.ThrowsAsync<RpcException>(() => runtime.StartContainerAsync(id, None));
        await runtime.StartContainerAsync(id, None);
        Assert.Equal(ContainerState.ContainerRunning, (await runtime.ContainerStatusAsync(id, None)).State);
    }

    [Fact]
    public async Task CreateContainer_RefusesAMissingImage_ADuplicateAttempt_AndANotReadySandbox()
    {
        var runtime = new FakeRuntime(new FakeRuntimeOptions { Images = ["nginx:1.27"] });
        var sandbox = await runtime.RunPodSandboxAsync(Sandbox("u"), "", None);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => runtime.CreateContainerAsync(sandbox, Container("app", "missing:1"), Sandbox("u"), None))).StatusCode);
        await runtime.CreateContainerAsync(sandbox, Container("app"), Sandbox("u"), None);
        Assert.Equal(StatusCode.AlreadyExists, (await Assert.ThrowsAsync<RpcException>(() => runtime.CreateContainerAsync(sandbox, Container("app"), Sandbox("u"), None))).StatusCode);
        await runtime.CreateContainerAsync(sandbox, Container("app", attempt: 1), Sandbox("u"), None);
        await runtime.StopPodSandboxAsync(sandbox, None);
        Assert.Equal(StatusCode.FailedPrecondition, (await Assert.ThrowsAsync<RpcException>(() => runtime.CreateContainerAsync(sandbox, Container("other"), Sandbox("u"), None))).StatusCode);
    }

    [Fact]
    public async Task StopPodSandbox_StopsItsRunningContainers_AndRemoveRemovesThem()
    {
        var runtime = new FakeRuntime(new FakeRuntimeOptions { Images = ["nginx:1.27"] });
        var keep = await runtime.RunPodSandboxAsync(Sandbox("keep"), "", None);
        var kept = await runtime.CreateContainerAsync(keep, Container("app"), Sandbox("keep"), None);
        await runtime.StartContainerAsync(kept, None);
        var sandbox = await runtime.RunPodSandboxAsync(Sandbox("u"), "", None);
        var id = await runtime.CreateContainerAsync(sandbox, Container("app"), Sandbox("u"), None);
        await runtime.StartContainerAsync(id, None);

        await runtime.StopPodSandboxAsync(sandbox, None);
        Assert.Equal(ContainerState.ContainerExited, (await runtime.ContainerStatusAsync(id, None)).State);
        Assert.Equal(ContainerState.ContainerRunning, (await runtime.ContainerStatusAsync(kept, None)).State);
        await runtime.RemovePodSandboxAsync(sandbox, None);
        Assert.Equal([kept], (await runtime.ListContainersAsync(null, None)).Select(c => c.Id));
    }

    [Fact]
    public async Task Lists_FilterByLabelsStateAndSandbox()
    {
        var runtime = new FakeRuntime(new FakeRuntimeOptions { Images = ["nginx:1.27"] });
        var a = await runtime.RunPodSandboxAsync(Sandbox("a"), "", None);
        var b = await runtime.RunPodSandboxAsync(Sandbox("b"), "", None);
        await runtime.StopPodSandboxAsync(b, None);
        var inA = await runtime.CreateContainerAsync(a, Container("x"), Sandbox("a"), None);
        await runtime.StartContainerAsync(inA, None);
        await runtime.CreateContainerAsync(a, Container("y"), Sandbox("a"), None);

        Assert.Equal([a], (await runtime.ListPodSandboxAsync(new PodSandboxFilter { LabelSelector = { ["io.kubernetes.pod.uid"] = "a" } }, None)).Select(s => s.Id));
        Assert.Equal([b], (await runtime.ListPodSandboxAsync(new PodSandboxFilter { State = new PodSandboxStateValue { State = PodSandboxState.SandboxNotready } }, None)).Select(s => s.Id));
        Assert.Equal(2, (await runtime.ListPodSandboxAsync(null, None)).Count);
        Assert.Equal([inA], (await runtime.ListContainersAsync(new ContainerFilter { PodSandboxId = a, State = new ContainerStateValue { State = ContainerState.ContainerRunning } }, None)).Select(c => c.Id));
        Assert.Equal(["y"], (await runtime.ListContainersAsync(new ContainerFilter { LabelSelector = { ["io.kubernetes.container.name"] = "y" } }, None)).Select(c => c.Metadata.Name));
    }

    [Fact]
    public async Task Images_PullAddsAndRemoveDrops_ImageStatusIsNullWhenMissing()
    {
        var runtime = new FakeRuntime();
        Assert.Null(await runtime.ImageStatusAsync(new ImageSpec { Image = "nginx:1.27" }, None));
        var reference = await runtime.PullImageAsync(new ImageSpec { Image = "nginx:1.27" }, null, null, None);
        Assert.Equal(reference, (await runtime.ImageStatusAsync(new ImageSpec { Image = "nginx:1.27" }, None))!.Id);
        Assert.Equal(["nginx:1.27"], (await runtime.ListImagesAsync(null, None)).SelectMany(i => i.RepoTags));
        await runtime.RemoveImageAsync(new ImageSpec { Image = "nginx:1.27" }, None);
        Assert.Empty(await runtime.ListImagesAsync(null, None));
    }

    [Theory]
    [InlineData("registry.invalid/app:1", "registry.invalid", "https://registry.invalid/v2/app/manifests/1", "registry.invalid")]
    [InlineData("a.b.INVALID:5000/team/app", "a.b.INVALID:5000", "https://a.b.INVALID:5000/v2/team/app/manifests/latest", "a.b.INVALID")]
    [InlineData("x.invalid/app@sha256:abc", "x.invalid", "https://x.invalid/v2/app/manifests/sha256:abc", "x.invalid")]
    public async Task Pull_FromARegistryUnderDotInvalid_FailsAsAnUnresolvableHost(string image, string host, string url, string lookup)
    {
        var runtime = new FakeRuntime();
        Assert.Equal(host, FakeRuntime.UnresolvableRegistry(image));
        var error = await Assert.ThrowsAsync<RpcException>(() => runtime.PullImageAsync(new ImageSpec { Image = image }, null, null, None));
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal($"failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": failed to do request: Head \"{url}\": dial tcp: lookup {lookup}: no such host", error.Status.Detail);
        Assert.Null(await runtime.ImageStatusAsync(new ImageSpec { Image = image }, None));
    }

    [Theory]
    [InlineData("nginx:1.27")]
    [InlineData("invalid/app:1")]
    [InlineData("registry.local/invalid:1")]
    [InlineData("invalid.example/app:1")]
    public void OtherImages_AreNotUnresolvable(string image) => Assert.Null(FakeRuntime.UnresolvableRegistry(image));

    [Fact]
    public async Task ConcurrentPods_AllGetDistinctIPsAndContainers()
    {
        var runtime = new FakeRuntime(new FakeRuntimeOptions { Images = ["nginx:1.27"] });
        var ids = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            var sandbox = await runtime.RunPodSandboxAsync(Sandbox("u" + i), "", None);
            var id = await runtime.CreateContainerAsync(sandbox, Container("app"), Sandbox("u" + i), None);
            await runtime.StartContainerAsync(id, None);
            return sandbox;
        })));
        var ips = await Task.WhenAll(ids.Select(async id => (await runtime.PodSandboxStatusAsync(id, None)).Network.Ip));
        Assert.Equal(100, ips.Distinct().Count());
        Assert.Equal(100, (await runtime.ListContainersAsync(new ContainerFilter { State = new ContainerStateValue { State = ContainerState.ContainerRunning } }, None)).Count);
    }
}

/// <summary>A clock that moves only when told.</summary>
internal sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
