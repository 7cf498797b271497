using Cetus.Cri.Fake;
using Cetus.Cri.V1;
using Cetus.Kubelet.Images;
using Cetus.Kubelet.Tests.Probes;
using Xunit;

namespace Cetus.Kubelet.Tests.Images;

/// <summary>Image garbage collection as upstream's image_gc_manager, on a fake clock and the fake runtime's image filesystem.</summary>
public sealed class ImageGarbageCollectorTests
{
    private const ulong MiB = 1024 * 1024;
    private readonly TimerClock _time = new();
    private readonly FakeEventSink _events = new();
    private readonly FakeRuntime _runtime;
    private readonly ImageGarbageCollector _gc;
    private readonly Dictionary<string, string> _containers = [];
    private string? _sandbox;

    public ImageGarbageCollectorTests()
    {
        _runtime = new FakeRuntime(new FakeRuntimeOptions { Time = _time });
        _runtime.RecordCalls();
        _runtime.AddImage("pinned", 20 * MiB, pinned: true);
        _runtime.AddImage("localhost/cetus/pause:3.10", 20 * MiB);
        _runtime.AddImage("in-use", 20 * MiB);
        _runtime.AddImage("a", 10 * MiB);
        _runtime.AddImage("b", 10 * MiB);
        _runtime.AddImage("c", 10 * MiB);
        _runtime.ImageFsCapacity = (long)(100 * MiB);
        _gc = new ImageGarbageCollector(_runtime, new ImageGCPolicy(), _runtime.ImageFsSpace, "node-1", "localhost/cetus/pause:3.10", _time, _events);
    }

    private IEnumerable<string> Images => _runtime.ListImagesAsync(null, CancellationToken.None).Result.Select(i => i.RepoTags[0]);

    [Fact]
    public async Task BelowTheHighThreshold_NothingIsRemoved()
    {
        _runtime.ImageFsCapacity = (long)(110 * MiB); // 90 MiB used: 82 %
        _time.Advance(TimeSpan.FromHours(1));

        Assert.True(await _gc.RunOnceAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await _gc.GarbageCollectAsync(CancellationToken.None));

        Assert.DoesNotContain("RemoveImage", _runtime.Calls);
        Assert.Empty(_events.Events);
    }

    [Fact]
    public async Task OverTheHighThreshold_FreesDownToTheLowThreshold_LeastRecentlyUsedFirst_SparingInUsePinnedSandboxAndYoungImages()
    {
        // 90 MiB of 100 used (90 % >= 85 %): 10 MiB to free to get down to 80 %. Everything is new: nothing may go.
        await UseAsync("in-use", "a", "b");
        Assert.False(await _gc.RunOnceAsync(CancellationToken.None));
        var failed = Assert.Single(_events.Events);
        Assert.Equal((ImageGarbageCollector.FreeDiskSpaceFailed, "Warning", "Node", "node-1"), (failed.Reason, failed.Type, failed.Involved.Kind, failed.Involved.Name));
        Assert.Equal($"Failed to garbage collect required amount of images. Attempted to free {10 * MiB} bytes, but only found 0 bytes eligible to free.", failed.Message);

        // A minute later a's container is gone (a last used then); still too young, a second failure in a row.
        _time.Advance(TimeSpan.FromMinutes(1));
        await UseAsync("in-use", "b");
        Assert.False(await _gc.RunOnceAsync(CancellationToken.None));
        Assert.Contains(_events.Events, e => e.Reason == ImageGarbageCollector.ImageGCFailed && e.Message == failed.Message);

        // Old enough now, and b's container is gone too: c (never used) goes first, and that is enough.
        _time.Advance(TimeSpan.FromMinutes(2));
        await UseAsync("in-use");
        Assert.True(await _gc.RunOnceAsync(CancellationToken.None));
        Assert.Equal(["a", "b", "in-use", "localhost/cetus/pause:3.10", "pinned"], Images.Order(StringComparer.Ordinal));

        // 80 of 90 MiB (88 %): 8 MiB to free: a (last used before b) goes, b stays.
        _runtime.ImageFsCapacity = (long)(90 * MiB);
        Assert.Equal((long)(10 * MiB), await _gc.GarbageCollectAsync(CancellationToken.None));
        Assert.Equal(["b", "in-use", "localhost/cetus/pause:3.10", "pinned"], Images.Order(StringComparer.Ordinal));

        // 70 of 62 MiB: b goes, and then only in-use, pinned and sandbox images are left: not enough.
        _runtime.ImageFsCapacity = (long)(62 * MiB);
        var error = await Assert.ThrowsAsync<ImageGCException>(() => _gc.GarbageCollectAsync(CancellationToken.None));
        Assert.EndsWith($"but only found {10 * MiB} bytes eligible to free.", error.Message, StringComparison.Ordinal);
        Assert.Equal(["in-use", "localhost/cetus/pause:3.10", "pinned"], Images.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ARemovalError_FailsTheRound_AfterFreeingWhatItCould()
    {
        _runtime.ImageFsCapacity = (long)(1000 * MiB);
        await _gc.GarbageCollectAsync(CancellationToken.None); // first detection
        _runtime.ImageFsCapacity = (long)(70 * MiB);
        _time.Advance(TimeSpan.FromMinutes(5));
        _runtime.FailNext("RemoveImage", Grpc.Core.StatusCode.Unknown);

        var error = await Assert.ThrowsAsync<ImageGCException>(() => _gc.GarbageCollectAsync(CancellationToken.None));

        Assert.StartsWith("wanted to free", error.Message, StringComparison.Ordinal);
        Assert.Contains("with errors in image deletion: rpc error: code = Unknown", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASuccessfulRound_ResetsTheFailureCount_AndAHighThresholdOf100DisablesCollection()
    {
        Assert.False(await _gc.RunOnceAsync(CancellationToken.None)); // all images new: nothing eligible
        _runtime.ImageFsCapacity = (long)(1000 * MiB);
        Assert.True(await _gc.RunOnceAsync(CancellationToken.None));
        _runtime.ImageFsCapacity = (long)(100 * MiB);
        Assert.False(await _gc.RunOnceAsync(CancellationToken.None));
        Assert.DoesNotContain(_events.Events, e => e.Reason == ImageGarbageCollector.ImageGCFailed);

        var disabled = new ImageGarbageCollector(_runtime, new ImageGCPolicy { HighThresholdPercent = 100 }, _runtime.ImageFsSpace, "node-1", time: _time, events: _events);
        var calls = _runtime.Calls.Count;
        _time.Advance(TimeSpan.FromHours(1));
        Assert.True(await disabled.RunOnceAsync(CancellationToken.None));
        Assert.Equal(calls, _runtime.Calls.Count);
    }

    [Fact]
    public async Task AnImageFilesystemWithoutCapacity_IsInvalidDiskCapacity()
    {
        var gc = new ImageGarbageCollector(_runtime, new ImageGCPolicy(), _ => (0, 0), "node-1", time: _time, events: _events);

        Assert.False(await gc.RunOnceAsync(CancellationToken.None));

        var invalid = Assert.Single(_events.Events);
        Assert.Equal((ImageGarbageCollector.InvalidDiskCapacity, "invalid capacity 0 on image filesystem"), (invalid.Reason, invalid.Message));
    }

    [Fact]
    public async Task AnImageFilesystemThatCannotBeMeasured_FailsTheRound_WithAnEventOnlyTheSecondTime()
    {
        var gc = new ImageGarbageCollector(_runtime, new ImageGCPolicy(), _ => null, "node-1", time: _time, events: _events);

        Assert.False(await gc.RunOnceAsync(CancellationToken.None));
        Assert.Empty(_events.Events);
        Assert.False(await gc.RunOnceAsync(CancellationToken.None));

        var failed = Assert.Single(_events.Events);
        Assert.Equal((ImageGarbageCollector.ImageGCFailed, $"failed to get imageFs stats: cannot measure the image filesystem \"{FakeRuntime.ImageFsMountpoint}\""), (failed.Reason, failed.Message));
    }

    [Fact]
    public async Task Records_FollowTheRuntimesImages_AndTheirLastUse()
    {
        _runtime.ImageFsCapacity = (long)(1000 * MiB);
        await UseAsync("a");
        await _gc.GarbageCollectAsync(CancellationToken.None);
        var start = _time.GetUtcNow();
        var aId = (await _runtime.ImageStatusAsync(new ImageSpec { Image = "a" }, CancellationToken.None))!.Id;
        Assert.Equal(6, _gc.Records.Count);
        Assert.Equal((start, start), (_gc.Records[aId].FirstDetected, _gc.Records[aId].LastUsed));

        _time.Advance(TimeSpan.FromMinutes(5));
        await UseAsync();
        await _runtime.RemoveImageAsync(new ImageSpec { Image = "c" }, CancellationToken.None);
        await _gc.GarbageCollectAsync(CancellationToken.None);

        Assert.Equal(5, _gc.Records.Count);
        Assert.Equal((start, start), (_gc.Records[aId].FirstDetected, _gc.Records[aId].LastUsed));
    }

    [Theory]
    [InlineData(85, 80, null)]
    [InlineData(100, 100, null)]
    [InlineData(101, 80, "imageGCHighThresholdPercent (101) must be between 0 and 100")]
    [InlineData(85, -1, "imageGCLowThresholdPercent (-1) must be between 0 and 100")]
    [InlineData(70, 80, "imageGCLowThresholdPercent (80) must be less than imageGCHighThresholdPercent (70)")]
    public void Policy_IsValidatedAsTheKubeletConfig(int high, int low, string? error) =>
        Assert.Equal(error, new ImageGCPolicy { HighThresholdPercent = high, LowThresholdPercent = low }.Validate());

    // Exactly these images are used by a container (any others are removed from the runtime).
    private async Task UseAsync(params string[] images)
    {
        _sandbox ??= await _runtime.RunPodSandboxAsync(new PodSandboxConfig { Metadata = new PodSandboxMetadata { Name = "p", Namespace = "default", Uid = "uid-p" } }, string.Empty, CancellationToken.None);
        foreach (var gone in _containers.Keys.Except(images).ToList())
        {
            await _runtime.RemoveContainerAsync(_containers[gone], CancellationToken.None);
            _containers.Remove(gone);
        }

        foreach (var image in images.Where(i => !_containers.ContainsKey(i)))
        {
            _containers[image] = await _runtime.CreateContainerAsync(_sandbox, new ContainerConfig { Metadata = new ContainerMetadata { Name = "c-" + image }, Image = new ImageSpec { Image = image } }, new PodSandboxConfig(), CancellationToken.None);
        }
    }
}
