using Cetus.Cri.Fake;
using Cetus.Cri.V1;
using Cetus.Kubelet.Logs;
using Cetus.Kubelet.Pods;
using Xunit;

namespace Cetus.Kubelet.Tests.Logs;

/// <summary>Finding the current and previous log file of a pod's container in the runtime.</summary>
public sealed class ContainerLogLocatorTests
{
    private readonly FakeRuntime _runtime = new(new FakeRuntimeOptions { Images = ["busybox"] });

    [Fact]
    public async Task Current_IsTheNewestAttempt_Previous_TheOneBefore()
    {
        var sandbox = await SandboxAsync("uid-1", "web");
        var first = await ContainerAsync(sandbox, "uid-1", "app", 0);
        _runtime.ExitContainer(first, 1);
        var second = await ContainerAsync(sandbox, "uid-1", "app", 1);
        await ContainerAsync(sandbox, "uid-1", "sidecar", 3);

        var current = await ContainerLogLocator.FindAsync(_runtime, "uid-1", "web", "app", previous: false, CancellationToken.None);
        Assert.Equal(new ContainerLogLocation(second, "/var/log/pods/default_web_uid-1/app/1.log", null), current);
        var previous = await ContainerLogLocator.FindAsync(_runtime, "uid-1", "web", "app", previous: true, CancellationToken.None);
        Assert.Equal(new ContainerLogLocation(first, "/var/log/pods/default_web_uid-1/app/0.log", null), previous);
        Assert.True(previous.Found);
    }

    [Fact]
    public async Task Previous_MayBeInAnEarlierSandboxOfThePod()
    {
        var old = await SandboxAsync("uid-1", "web");
        var first = await ContainerAsync(old, "uid-1", "app", 0);
        await _runtime.StopPodSandboxAsync(old, CancellationToken.None);
        var renewed = await SandboxAsync("uid-1", "web");
        var second = await ContainerAsync(renewed, "uid-1", "app", 1);

        Assert.Equal(second, (await ContainerLogLocator.FindAsync(_runtime, "uid-1", "web", "app", false, CancellationToken.None)).ContainerId);
        Assert.Equal(first, (await ContainerLogLocator.FindAsync(_runtime, "uid-1", "web", "app", true, CancellationToken.None)).ContainerId);
    }

    [Fact]
    public async Task NoPreviousInstance_GivesUpstreamsMessage()
    {
        var sandbox = await SandboxAsync("uid-1", "web");
        await ContainerAsync(sandbox, "uid-1", "app", 0);
        // Another pod's container of the same name does not count.
        await ContainerAsync(await SandboxAsync("uid-2", "other"), "uid-2", "app", 0);

        var previous = await ContainerLogLocator.FindAsync(_runtime, "uid-1", "web", "app", true, CancellationToken.None);
        Assert.Equal(new ContainerLogLocation(null, null, "previous terminated container \"app\" in pod \"web\" not found"), previous);
        Assert.False(previous.Found);
    }

    [Fact]
    public async Task NoInstanceYet_SaysTheContainerIsWaiting()
    {
        await SandboxAsync("uid-1", "web");
        var current = await ContainerLogLocator.FindAsync(_runtime, "uid-1", "web", "app", false, CancellationToken.None);
        Assert.Equal("container \"app\" in pod \"web\" is waiting to start", current.Error);
    }

    [Fact]
    public async Task IsRunning_FollowsTheContainersState_AndIsFalseOnceItIsGone()
    {
        var sandbox = await SandboxAsync("uid-1", "web");
        var id = await ContainerAsync(sandbox, "uid-1", "app", 0);
        var isRunning = ContainerLogLocator.IsRunning(_runtime, id);
        Assert.True(await isRunning(CancellationToken.None));
        _runtime.ExitContainer(id, 0);
        Assert.False(await isRunning(CancellationToken.None));
        await _runtime.RemoveContainerAsync(id, CancellationToken.None);
        Assert.False(await isRunning(CancellationToken.None));
    }

    private Task<string> SandboxAsync(string uid, string name) => _runtime.RunPodSandboxAsync(SandboxConfig(uid, name), "", CancellationToken.None);

    private static PodSandboxConfig SandboxConfig(string uid, string name) => new()
    {
        Metadata = new PodSandboxMetadata { Name = name, Namespace = "default", Uid = uid },
        LogDirectory = $"/var/log/pods/default_{name}_{uid}",
        Labels = { [CriLabels.PodUid] = uid, [CriLabels.PodName] = name },
    };

    private async Task<string> ContainerAsync(string sandbox, string uid, string name, uint attempt)
    {
        var status = await _runtime.PodSandboxStatusAsync(sandbox, CancellationToken.None);
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name, Attempt = attempt },
            Image = new ImageSpec { Image = "busybox" },
            LogPath = $"{name}/{attempt}.log",
            Labels = { [CriLabels.PodUid] = uid, [CriLabels.ContainerName] = name },
        };
        var id = await _runtime.CreateContainerAsync(sandbox, config, SandboxConfig(uid, status.Metadata.Name), CancellationToken.None);
        await _runtime.StartContainerAsync(id, CancellationToken.None);
        return id;
    }
}
