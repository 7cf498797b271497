using Cetus.Cri.Fake;
using Cetus.Cri.Remote;
using Cetus.Cri.Serving;
using Cetus.Cri.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Cetus.Cri.Tests;

/// <summary>
/// The real gRPC client over a unix socket, against the fake runtime served by an in-process gRPC server on a socket
/// in a temporary directory: requests and responses cross the wire as runtime.v1 protobuf, errors keep their code.
/// </summary>
public sealed class RemoteRuntimeTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cetus-cri-").FullName;
    private readonly FakeRuntime _fake = new(new FakeRuntimeOptions { Images = ["nginx:1.27"], PodIPPrefix = "10.77.0." });
    private WebApplication? _server;
    private RemoteRuntime? _client;

    private string Socket => Path.Combine(_directory, "cri.sock");

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(Socket, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IContainerRuntime>(_fake);
        _server = builder.Build();
        _server.MapGrpcService<RuntimeServer>();
        _server.MapGrpcService<ImageServer>();
        await _server.StartAsync();
        _client = new RemoteRuntime(Socket, new RemoteRuntimeOptions { Timeout = TimeSpan.FromSeconds(10) });
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task VersionAndStatus_ComeFromTheServedRuntime()
    {
        var version = await _client!.VersionAsync(CancellationToken.None);
        Assert.Equal(("fake", "v1"), (version.RuntimeName, version.RuntimeApiVersion));
        var status = await _client.StatusAsync(CancellationToken.None);
        Assert.Equal(["NetworkReady", "RuntimeReady"], status.Conditions.Where(c => c.Status).Select(c => c.Type).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PodLifecycle_OverTheSocket()
    {
        var config = FakeRuntimeTests.Sandbox("uid-1", "web");
        var sandbox = await _client!.RunPodSandboxAsync(config, "", CancellationToken.None);
        var sandboxStatus = await _client.PodSandboxStatusAsync(sandbox, CancellationToken.None);
        Assert.Equal(("10.77.0.2", "web", "uid-1"), (sandboxStatus.Network.Ip, sandboxStatus.Metadata.Name, sandboxStatus.Labels["io.kubernetes.pod.uid"]));

        var container = FakeRuntimeTests.Container("app");
        container.Envs.Add(new KeyValue { Key = "A", Value = "b" });
        var id = await _client.CreateContainerAsync(sandbox, container, config, CancellationToken.None);
        await _client.StartContainerAsync(id, CancellationToken.None);
        var listed = Assert.Single(await _client.ListContainersAsync(new ContainerFilter { PodSandboxId = sandbox }, CancellationToken.None));
        Assert.Equal((id, ContainerState.ContainerRunning, "app"), (listed.Id, listed.State, listed.Metadata.Name));
        Assert.Equal(ContainerState.ContainerRunning, (await _client.ContainerStatusAsync(id, CancellationToken.None)).State);

        await _client.StopContainerAsync(id, 5, CancellationToken.None);
        Assert.Equal(ContainerState.ContainerExited, (await _client.ContainerStatusAsync(id, CancellationToken.None)).State);
        await _client.RemoveContainerAsync(id, CancellationToken.None);
        await _client.StopPodSandboxAsync(sandbox, CancellationToken.None);
        await _client.RemovePodSandboxAsync(sandbox, CancellationToken.None);
        Assert.Empty(await _client.ListPodSandboxAsync(null, CancellationToken.None));
        Assert.Equal(0, _fake.SandboxCount);
    }

    [Fact]
    public async Task ExecSync_RunsTheScriptedCommand_AndReturnsOutputAndExitCode_OverTheSocket()
    {
        _fake.OnExec(e => e.Command[0] == "cat" ? new FakeExecResult(0, $"{e.ContainerName}:{string.Join(',', e.Command.Skip(1))}:{e.TimeoutSeconds}") : new FakeExecResult(7, Stderr: "no such command"));
        var config = FakeRuntimeTests.Sandbox("uid-1", "web");
        var sandbox = await _client!.RunPodSandboxAsync(config, "", CancellationToken.None);
        var id = await _client.CreateContainerAsync(sandbox, FakeRuntimeTests.Container("app"), config, CancellationToken.None);
        await _client.StartContainerAsync(id, CancellationToken.None);

        var ok = await _client.ExecSyncAsync(id, ["cat", "/tmp/healthy", "x"], 3, CancellationToken.None);
        Assert.Equal((0, "app:/tmp/healthy,x:3", ""), (ok.ExitCode, ok.Stdout.ToStringUtf8(), ok.Stderr.ToStringUtf8()));
        var failed = await _client.ExecSyncAsync(id, ["false"], 1, CancellationToken.None);
        Assert.Equal((7, "no such command"), (failed.ExitCode, failed.Stderr.ToStringUtf8()));

        await _client.StopContainerAsync(id, 0, CancellationToken.None);
        var stopped = await Assert.ThrowsAsync<RpcException>(() => _client.ExecSyncAsync(id, ["cat"], 1, CancellationToken.None));
        Assert.Equal(StatusCode.FailedPrecondition, stopped.StatusCode);
        var missing = await Assert.ThrowsAsync<RpcException>(() => _client.ExecSyncAsync("nope", ["cat"], 1, CancellationToken.None));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Errors_KeepTheirGrpcStatusCode()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => _client!.ContainerStatusAsync("nope", CancellationToken.None));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        _fake.FailNext("RunPodSandbox", StatusCode.ResourceExhausted, "full");
        var full = await Assert.ThrowsAsync<RpcException>(() => _client!.RunPodSandboxAsync(FakeRuntimeTests.Sandbox("x"), "", CancellationToken.None));
        Assert.Equal((StatusCode.ResourceExhausted, "full"), (full.StatusCode, full.Status.Detail));
    }

    [Fact]
    public async Task Images_StatusIsNullWhenMissing_PullReturnsTheReference()
    {
        Assert.Null(await _client!.ImageStatusAsync(new ImageSpec { Image = "busybox:1.35" }, CancellationToken.None));
        var reference = await _client.PullImageAsync(new ImageSpec { Image = "busybox:1.35" }, null, null, CancellationToken.None);
        Assert.Equal(reference, (await _client.ImageStatusAsync(new ImageSpec { Image = "busybox:1.35" }, CancellationToken.None))!.Id);
        Assert.Equal(2, (await _client.ListImagesAsync(null, CancellationToken.None)).Count);
        await _client.RemoveImageAsync(new ImageSpec { Image = "busybox:1.35" }, CancellationToken.None);
        Assert.Single(await _client.ListImagesAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task PullCredentials_AndImageFsInfo_CrossTheSocket()
    {
        _fake.RecordCalls();
        var denied = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => _client!.PullImageAsync(new ImageSpec { Image = "alice.auth.invalid/app:1" }, null, null, CancellationToken.None));
        Assert.EndsWith("401 Unauthorized", denied.Status.Detail, StringComparison.Ordinal);
        var auth = new AuthConfig { Username = "alice", Password = "pw", ServerAddress = "alice.auth.invalid", IdentityToken = "id", RegistryToken = "reg" };
        await _client!.PullImageAsync(new ImageSpec { Image = "alice.auth.invalid/app:1" }, auth, null, CancellationToken.None);
        Assert.Equal(auth, _fake.Pulls[^1].Auth);

        var info = await _client.ImageFsInfoAsync(CancellationToken.None);
        var fs = Assert.Single(info.ImageFilesystems);
        Assert.Equal(FakeRuntime.ImageFsMountpoint, fs.FsId.Mountpoint);
        Assert.Equal(2UL * 1024 * 1024, fs.UsedBytes.Value);
        Assert.Equal((FakeRuntime.ImageFsMountpoint, 2L), (fs.FsId.Mountpoint, (long)fs.InodesUsed.Value));
        _fake.ImageFsCapacity = 10L * 1024 * 1024;
        Assert.Equal((10L * 1024 * 1024, 8L * 1024 * 1024), _fake.ImageFsSpace(FakeRuntime.ImageFsMountpoint));
    }

    [Fact]
    public async Task ReopenContainerLog_RecreatesTheLogOfARunningContainer_OverTheSocket()
    {
        var config = FakeRuntimeTests.Sandbox("uid-1", "web");
        config.LogDirectory = Path.Combine(_directory, "pods", "default_web_uid-1");
        var sandbox = await _client!.RunPodSandboxAsync(config, "", CancellationToken.None);
        var container = FakeRuntimeTests.Container("app");
        container.LogPath = "app/0.log";
        var id = await _client.CreateContainerAsync(sandbox, container, config, CancellationToken.None);
        var path = (await _client.ContainerStatusAsync(id, CancellationToken.None)).LogPath;
        Assert.Equal(Path.Combine(config.LogDirectory, "app", "0.log"), path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        var notRunning = await Assert.ThrowsAsync<RpcException>(() => _client.ReopenContainerLogAsync(id, CancellationToken.None));
        Assert.Equal(StatusCode.FailedPrecondition, notRunning.StatusCode);
        await _client.StartContainerAsync(id, CancellationToken.None);
        await _client.ReopenContainerLogAsync(id, CancellationToken.None);
        Assert.True(File.Exists(path));
        Assert.Equal([id], _fake.ReopenedLogs);
    }

    [Fact]
    public async Task ContainerStats_OverTheSocket_OnlyRunningContainers_WithTheirLabels()
    {
        var config = FakeRuntimeTests.Sandbox("uid-stats", "web");
        var sandbox = await _client!.RunPodSandboxAsync(config, "", CancellationToken.None);
        var running = await _client.CreateContainerAsync(sandbox, FakeRuntimeTests.Container("app"), config, CancellationToken.None);
        await _client.StartContainerAsync(running, CancellationToken.None);
        var created = await _client.CreateContainerAsync(sandbox, FakeRuntimeTests.Container("later"), config, CancellationToken.None);
        _fake.SetContainerStats(running, new FakeContainerUsage(UsageCoreNanoSeconds: 7_000_000_000, WorkingSetBytes: 64 << 20, UsageNanoCores: 250_000_000));

        var stats = Assert.Single(await _client.ListContainerStatsAsync(new ContainerStatsFilter { PodSandboxId = sandbox }, CancellationToken.None));
        Assert.Equal((running, "app"), (stats.Attributes.Id, stats.Attributes.Metadata.Name));
        Assert.Equal((7_000_000_000UL, 250_000_000UL), (stats.Cpu.UsageCoreNanoSeconds.Value, stats.Cpu.UsageNanoCores.Value));
        Assert.Equal(64UL << 20, stats.Memory.WorkingSetBytes.Value);
        Assert.True(stats.Cpu.Timestamp > 0);

        var idle = await _client.ContainerStatsAsync(created, CancellationToken.None);
        Assert.Equal(0UL, idle.Cpu.UsageCoreNanoSeconds.Value);
        Assert.Null(idle.Cpu.UsageNanoCores);
        var missing = await Assert.ThrowsAsync<RpcException>(() => _client.ContainerStatsAsync("nope", CancellationToken.None));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }
}
