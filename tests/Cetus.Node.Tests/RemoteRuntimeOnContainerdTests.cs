using System.Net.Sockets;
using Cetus.Cri.V1;
using Cetus.Testing;
using Grpc.Core;
using Xunit;

namespace Cetus.Node.Tests;

/// <summary>
/// The project's CRI client against the real containerd: a sandbox gets an IP from the CNI bridge that the host
/// reaches, two containers of one sandbox share its network namespace, and stop/remove leave nothing behind.
/// </summary>
[Collection(ContainerdCollection.Name)]
public sealed class RemoteRuntimeOnContainerdTests(ContainerdFixture fixture)
{
    private Cetus.Cri.Remote.RemoteRuntime Runtime => fixture.Containerd.Runtime;

    [Fact]
    public async Task VersionAndStatus_ReportContainerdReady()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var version = await Runtime.VersionAsync(timeout.Token);
        Assert.Equal("containerd", version.RuntimeName);
        var status = await Runtime.StatusAsync(timeout.Token);
        Assert.Contains(status.Conditions, c => c.Type == "RuntimeReady" && c.Status);
        Assert.Contains(status.Conditions, c => c.Type == "NetworkReady" && c.Status);
        Assert.NotNull(await Runtime.ImageStatusAsync(new ImageSpec { Image = Containerd.BusyboxImage }, timeout.Token));
        Assert.Null(await Runtime.ImageStatusAsync(new ImageSpec { Image = "localhost/not-imported:0.1" }, timeout.Token));
    }

    [Fact]
    public async Task ImageFsInfo_NamesAMountPoint_ThatImageGarbageCollectionCanMeasure()
    {
        // Read-only: image garbage collection itself is not run against this containerd, since it could remove the
        // pause or busybox images other tests need (containerd 1.6 does not pin its sandbox image).
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var info = await Runtime.ImageFsInfoAsync(timeout.Token);
        var fs = Assert.Single(info.ImageFilesystems);
        Assert.True(Directory.Exists(fs.FsId.Mountpoint), fs.FsId.Mountpoint);
        Assert.True(fs.UsedBytes.Value > 0);
        // What ImageGarbageCollector.StatFileSystem reads (statfs of the mount point).
        var drive = new DriveInfo(fs.FsId.Mountpoint);
        Assert.True(drive.TotalSize > 0);
        Assert.InRange(drive.AvailableFreeSpace, 0, drive.TotalSize);
    }

    [Fact]
    public async Task TwoContainersOfOneSandbox_TalkOverLocalhost_AndTheHostReachesThePodIP()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var uid = Guid.NewGuid().ToString();
        var sandboxConfig = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = "cri-localhost", Namespace = "cri-test", Uid = uid },
            Hostname = "cri-localhost",
            LogDirectory = $"/var/log/pods/cri-test_cri-localhost_{uid}",
            Labels = { ["io.kubernetes.pod.uid"] = uid },
        };
        var sandbox = await Runtime.RunPodSandboxAsync(sandboxConfig, string.Empty, timeout.Token);
        try
        {
            var ip = (await Runtime.PodSandboxStatusAsync(sandbox, timeout.Token)).Network.Ip;
            Assert.False(string.IsNullOrEmpty(ip));

            // The server answers on the pod's port 8080; the client, in the same sandbox, fetches it from localhost and exits 0.
            var server = await StartAsync(sandbox, sandboxConfig, "server", ["sh", "-c", "mkdir -p /www && echo hello-from-server > /www/index.html && exec httpd -f -p 8080 -h /www"], timeout.Token);
            await WaitAsync(async () => await CanConnectAsync(ip, 8080), "the host reaches the pod IP on port 8080", timeout.Token);
            var client = await StartAsync(sandbox, sandboxConfig, "client", ["sh", "-c", "wget -q -O- http://localhost:8080/ | grep -q hello-from-server"], timeout.Token);
            var exited = await WaitAsync(
                async () => await Runtime.ContainerStatusAsync(client, timeout.Token) is { State: ContainerState.ContainerExited } s ? s : null,
                "the client container exits",
                timeout.Token);
            Assert.Equal(0, exited.ExitCode);
            Assert.Equal(ContainerState.ContainerRunning, (await Runtime.ContainerStatusAsync(server, timeout.Token)).State);
        }
        finally
        {
            await Runtime.StopPodSandboxAsync(sandbox, CancellationToken.None);
            await Runtime.RemovePodSandboxAsync(sandbox, CancellationToken.None);
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => Runtime.PodSandboxStatusAsync(sandbox, CancellationToken.None));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Empty(await Runtime.ListContainersAsync(new ContainerFilter { PodSandboxId = sandbox }, CancellationToken.None));
    }

    private async Task<string> StartAsync(string sandbox, PodSandboxConfig sandboxConfig, string name, string[] command, CancellationToken cancellationToken)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name },
            Image = new ImageSpec { Image = Containerd.BusyboxImage },
            Command = { command },
            LogPath = $"{name}/0.log",
        };
        var id = await Runtime.CreateContainerAsync(sandbox, config, sandboxConfig, cancellationToken);
        await Runtime.StartContainerAsync(id, cancellationToken);
        return id;
    }

    private static async Task<bool> CanConnectAsync(string ip, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.ConnectAsync(System.Net.IPAddress.Parse(ip), port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken) =>
        await WaitAsync(async () => await condition() ? (object?)true : null, what, cancellationToken);

    private static async Task<T> WaitAsync<T>(Func<Task<T?>> condition, string what, CancellationToken cancellationToken)
        where T : class
    {
        while (true)
        {
            if (await condition() is { } value)
            {
                return value;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }
}
