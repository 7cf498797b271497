using Cetus.Cri.Fake;
using Cetus.Cri.V1;
using Cetus.Kubelet.Logs;
using Cetus.Kubelet.Tests.Probes;
using Grpc.Core;
using Xunit;

namespace Cetus.Kubelet.Tests.Logs;

/// <summary>Log rotation over the fake runtime and real files: rename, ReopenContainerLog, trimming, the periodic pass.</summary>
public sealed class ContainerLogManagerTests : IDisposable
{
    private readonly LogFiles _files = new();
    private readonly TimerClock _clock = new();
    private readonly FakeRuntime _runtime;

    public ContainerLogManagerTests() => _runtime = new FakeRuntime(new FakeRuntimeOptions { Images = ["busybox"], Time = _clock });

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task ALogAtMaxSize_IsRenamedWithAUtcTimestamp_AndReopened()
    {
        var (id, path) = await RunningContainerAsync("app", new string('x', 100));
        var manager = Manager(maxSize: 100);

        Assert.Equal([id], await manager.RotateLogsAsync(CancellationToken.None));
        Assert.Equal([id], _runtime.ReopenedLogs);
        Assert.Equal(new string('x', 100), File.ReadAllText(path + ".20260101-120000"));
        Assert.Equal(0, new FileInfo(path).Length);
        Assert.Equal([path, path + ".20260101-120000"], Files(path));
    }

    [Fact]
    public async Task ASmallerLog_IsLeftAlone()
    {
        var (_, path) = await RunningContainerAsync("app", new string('x', 99));
        Assert.Empty(await Manager(maxSize: 100).RotateLogsAsync(CancellationToken.None));
        Assert.Empty(_runtime.ReopenedLogs);
        Assert.Equal([path], Files(path));
    }

    [Fact]
    public async Task AStoppedContainersLog_IsNotRotated()
    {
        var (id, path) = await RunningContainerAsync("app", new string('x', 500));
        _runtime.ExitContainer(id, 0);
        Assert.Empty(await Manager(maxSize: 100).RotateLogsAsync(CancellationToken.None));
        Assert.Equal([path], Files(path));
    }

    [Fact]
    public async Task OldRotatedFiles_BeyondMaxFiles_AreDeleted_OldestFirst_TheRestGzipped()
    {
        var (_, path) = await RunningContainerAsync("app", new string('x', 200));
        File.WriteAllText(path + ".20251230-000000", "oldest");
        File.WriteAllText(path + ".20251231-000000.gz", "older, compressed");
        File.WriteAllText(path + ".20251231-120000", "newer");
        File.WriteAllText(path + ".20251231-120000.gz.tmp", "left by an interrupted compression");

        await Manager(maxSize: 100, maxFiles: 4).RotateLogsAsync(CancellationToken.None);

        // MaxFiles 4 = the current file, the one just rotated and two older ones.
        Assert.Equal([path, path + ".20251231-000000.gz", path + ".20251231-120000.gz", path + ".20260101-120000"], Files(path));
        await using var gzip = new System.IO.Compression.GZipStream(File.OpenRead(path + ".20251231-120000.gz"), System.IO.Compression.CompressionMode.Decompress);
        Assert.Equal("newer", await new StreamReader(gzip).ReadToEndAsync());
    }

    [Fact]
    public async Task AFailedReopen_PutsTheLogBack()
    {
        var (id, path) = await RunningContainerAsync("app", new string('x', 200));
        _runtime.FailNext("ReopenContainerLog", StatusCode.Unavailable);
        Assert.Empty(await Manager(maxSize: 100).RotateLogsAsync(CancellationToken.None));
        Assert.Equal([path], Files(path));
        Assert.Equal(200, new FileInfo(path).Length);

        Assert.Equal([id], await Manager(maxSize: 100).RotateLogsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task OneContainersTrouble_DoesNotStopTheOthers()
    {
        await RunningContainerAsync("gone", new string('x', 200));
        var (second, _) = await RunningContainerAsync("app", new string('x', 200));
        _runtime.FailNext("ContainerStatus", StatusCode.NotFound);
        Assert.Equal([second], await Manager(maxSize: 100).RotateLogsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AMissingLog_IsReopened()
    {
        var (id, path) = await RunningContainerAsync("app", "");
        File.Delete(path);
        Assert.Empty(await Manager(maxSize: 100).RotateLogsAsync(CancellationToken.None));
        Assert.Equal([id], _runtime.ReopenedLogs);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task Run_ChecksEveryPeriod_OnItsClock_UntilCancelled()
    {
        var (id, path) = await RunningContainerAsync("app", new string('x', 100));
        using var stop = new CancellationTokenSource();
        var run = Manager(maxSize: 100).RunAsync(stop.Token);
        await TimerClock.WaitUntilAsync(() => _runtime.ReopenedLogs.Count == 1, "the first rotation");

        File.WriteAllText(path, new string('y', 150));
        await _clock.WaitForTimerAsync(LogFiles.T0.AddSeconds(10));
        Assert.Single(_runtime.ReopenedLogs);
        _clock.Advance(TimeSpan.FromSeconds(10));
        await TimerClock.WaitUntilAsync(() => _runtime.ReopenedLogs.Count == 2, "the second rotation");
        Assert.Equal(new string('y', 150), File.ReadAllText(path + ".20260101-120010"));
        Assert.Equal([id, id], _runtime.ReopenedLogs);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void MaxFiles_BelowTwo_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ContainerLogManager(_runtime, new ContainerLogRotation { MaxFiles = 1 }));

    private ContainerLogManager Manager(long maxSize, int maxFiles = 5) =>
        new(_runtime, new ContainerLogRotation { MaxSize = maxSize, MaxFiles = maxFiles }, _clock);

    private async Task<(string Id, string Path)> RunningContainerAsync(string name, string content)
    {
        var sandboxConfig = new PodSandboxConfig { Metadata = new PodSandboxMetadata { Name = "web", Namespace = "default", Uid = "uid-1" } };
        var sandbox = await _runtime.RunPodSandboxAsync(sandboxConfig, "", CancellationToken.None);
        var id = await _runtime.CreateContainerAsync(sandbox, new ContainerConfig { Metadata = new ContainerMetadata { Name = name }, Image = new ImageSpec { Image = "busybox" } }, sandboxConfig, CancellationToken.None);
        await _runtime.StartContainerAsync(id, CancellationToken.None);
        var path = _files.Write(name + ".log", content);
        _runtime.SetLogPath(id, path);
        return (id, path);
    }

    private static List<string> Files(string path) =>
        [.. Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*").Order(StringComparer.Ordinal)];
}
