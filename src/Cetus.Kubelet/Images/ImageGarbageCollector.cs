using Cetus.Client.Events;
using Cetus.Cri;
using Cetus.Cri.V1;
using Cetus.Kubelet.Events;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Images;

/// <summary>When images are garbage collected (the kubelet's ImageGCPolicy and its flags' defaults).</summary>
public sealed record ImageGCPolicy
{
    /// <summary>How often images are detected and, when needed, collected (upstream's ImageGCPeriod).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(5);

    /// <summary>Disk usage (percent of the image filesystem) at or above which collection runs (--image-gc-high-threshold, 85; 100 disables it).</summary>
    public int HighThresholdPercent { get; init; } = 85;

    /// <summary>Disk usage collection frees down to (--image-gc-low-threshold, 80).</summary>
    public int LowThresholdPercent { get; init; } = 80;

    /// <summary>The minimum age of an unused image before it may be removed (--image-minimum-gc-age, 2m).</summary>
    public TimeSpan MinAge { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Why the policy is invalid (upstream's kubelet config validation), or null.</summary>
    public string? Validate() =>
        HighThresholdPercent is < 0 or > 100 ? $"imageGCHighThresholdPercent ({HighThresholdPercent}) must be between 0 and 100"
        : LowThresholdPercent is < 0 or > 100 ? $"imageGCLowThresholdPercent ({LowThresholdPercent}) must be between 0 and 100"
        : LowThresholdPercent > HighThresholdPercent ? $"imageGCLowThresholdPercent ({LowThresholdPercent}) must be less than imageGCHighThresholdPercent ({HighThresholdPercent})"
        : MinAge < TimeSpan.Zero ? "imageMinimumGCAge must not be negative"
        : null;
}

/// <summary>
/// The kubelet's image garbage collection (pkg/kubelet/images image_gc_manager.go), run every
/// <see cref="ImageGCPolicy.Period"/>: it keeps, per image id, when the image was first detected and last used by a
/// container (any container the runtime holds, running or exited); when the image filesystem (CRI ImageFsInfo's mount
/// point, measured by <paramref name="fileSystem"/>: capacity and available bytes) is at or above the high threshold,
/// it removes images no container uses — least recently used first, then first detected first — that are not pinned
/// (containerd pins its sandbox image), are not <paramref name="sandboxImage"/>, and were first detected at least
/// MinAge ago, until usage is down to the low threshold. As upstream's events, on the node: FreeDiskSpaceFailed when
/// it could not free enough, ImageGCFailed when collection failed twice in a row, InvalidDiskCapacity for a capacity
/// of 0.
/// </summary>
public sealed class ImageGarbageCollector(IContainerRuntime runtime, ImageGCPolicy policy, Func<string, (long Capacity, long Available)?> fileSystem, string nodeName, string? sandboxImage = null, TimeProvider? time = null, IEventSink? events = null, ILogger? logger = null)
{
    /// <summary>The event reason when a collection could not free enough space.</summary>
    public const string FreeDiskSpaceFailed = "FreeDiskSpaceFailed";

    /// <summary>The event reason when collection failed twice or more in a row.</summary>
    public const string ImageGCFailed = "ImageGCFailed";

    /// <summary>The event reason when the image filesystem reports no capacity.</summary>
    public const string InvalidDiskCapacity = "InvalidDiskCapacity";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly IEventSink _events = events ?? NullEventSink.Instance;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly Dictionary<string, ImageRecord> _records = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _previousFailed;

    /// <summary>What the collector knows of the images (tests): id → first detected, last used.</summary>
    public IReadOnlyDictionary<string, (DateTimeOffset FirstDetected, DateTimeOffset? LastUsed)> Records
    {
        get
        {
            lock (_records)
            {
                return _records.ToDictionary(r => r.Key, r => (r.Value.FirstDetected, r.Value.LastUsed), StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The capacity and available bytes of the filesystem holding <paramref name="path"/> (statfs); null when it cannot be read.</summary>
    public static (long Capacity, long Available)? StatFileSystem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            var drive = new DriveInfo(Path.GetFullPath(path));
            return (drive.TotalSize, drive.AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// One periodic round (upstream's StartGarbageCollection loop): <see cref="GarbageCollectAsync"/>, recording
    /// ImageGCFailed when it fails a second time in a row. False when it failed.
    /// </summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (policy.HighThresholdPercent >= 100)
        {
            // As upstream: a high threshold of 100 disables image garbage collection.
            return true;
        }

        try
        {
            await GarbageCollectAsync(cancellationToken).ConfigureAwait(false);
            _previousFailed = false;
            return true;
        }
        catch (Exception e) when (e is ImageGCException or RpcException && !cancellationToken.IsCancellationRequested)
        {
            var message = e is RpcException rpc ? KubeletEvents.RpcError(rpc) : e.Message;
            if (_previousFailed)
            {
                _logger.LogError("image garbage collection failed multiple times in a row: {Error}", message);
                _events.Node(nodeName, EventTypes.Warning, ImageGCFailed, message);
            }
            else
            {
                _logger.LogWarning("image garbage collection failed once: {Error}", message);
            }

            _previousFailed = true;
            return false;
        }
    }

    /// <summary>
    /// Detects the images and, when the image filesystem's usage is at or above the high threshold, frees space down
    /// to the low threshold; returns the bytes freed. An <see cref="ImageGCException"/> when it cannot (after its
    /// event).
    /// </summary>
    public async Task<long> GarbageCollectAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            var candidates = await DetectAsync(now, cancellationToken).ConfigureAwait(false);
            var info = await runtime.ImageFsInfoAsync(cancellationToken).ConfigureAwait(false);
            var mountpoint = info.ImageFilesystems.FirstOrDefault()?.FsId?.Mountpoint;
            if (string.IsNullOrEmpty(mountpoint) || fileSystem(mountpoint) is not var (capacity, available))
            {
                // As upstream when the stats provider fails: the round fails (an event only when it fails again).
                throw new ImageGCException($"failed to get imageFs stats: cannot measure the image filesystem \"{mountpoint}\"");
            }

            if (available > capacity)
            {
                available = capacity;
            }

            if (capacity <= 0)
            {
                const string Invalid = "invalid capacity 0 on image filesystem";
                _events.Node(nodeName, EventTypes.Warning, InvalidDiskCapacity, Invalid);
                throw new ImageGCException(Invalid);
            }

            var usagePercent = 100 - (int)(available * 100 / capacity);
            if (usagePercent < policy.HighThresholdPercent)
            {
                return 0;
            }

            var toFree = (capacity * (100 - policy.LowThresholdPercent) / 100) - available;
            _logger.LogInformation("disk usage on image filesystem is {Usage}%, over the high threshold ({High}%): trying to free {Bytes} bytes down to the low threshold ({Low}%)", usagePercent, policy.HighThresholdPercent, toFree, policy.LowThresholdPercent);
            var (freed, errors) = await FreeSpaceAsync(toFree, now, candidates, cancellationToken).ConfigureAwait(false);
            if (errors.Count > 0)
            {
                throw new ImageGCException($"wanted to free {toFree} bytes, but freed {freed} bytes space with errors in image deletion: {(errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]")}");
            }

            if (freed < toFree)
            {
                var message = $"Failed to garbage collect required amount of images. Attempted to free {toFree} bytes, but only found {freed} bytes eligible to free.";
                _events.Node(nodeName, EventTypes.Warning, FreeDiskSpaceFailed, message);
                throw new ImageGCException(message);
            }

            return freed;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Updates the records (new images first detected now, images in use last used now, gone images forgotten) and
    // returns the images that may be removed, in eviction order.
    private async Task<List<(string Id, ImageRecord Record)>> DetectAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var images = await runtime.ListImagesAsync(null, cancellationToken).ConfigureAwait(false);
        var containers = await runtime.ListContainersAsync(null, cancellationToken).ConfigureAwait(false);
        var inUse = new HashSet<string>(StringComparer.Ordinal);
        foreach (var container in containers)
        {
            Add(inUse, container.ImageRef);
            Add(inUse, container.Image?.Image);
        }

        Add(inUse, sandboxImage);
        var candidates = new List<(string Id, ImageRecord Record)>();
        lock (_records)
        {
            foreach (var image in images)
            {
                if (!_records.TryGetValue(image.Id, out var record))
                {
                    _records[image.Id] = record = new ImageRecord { FirstDetected = now };
                }

                record.Size = (long)image.Size;
                var used = inUse.Contains(image.Id) || image.RepoTags.Any(inUse.Contains) || image.RepoDigests.Any(inUse.Contains);
                if (used)
                {
                    record.LastUsed = now;
                }
                else if (!image.Pinned)
                {
                    candidates.Add((image.Id, record));
                }
            }

            foreach (var gone in _records.Keys.Except(images.Select(i => i.Id)).ToList())
            {
                _records.Remove(gone);
            }
        }

        // Least recently used first (never used counts as oldest), then first detected first.
        return [.. candidates.OrderBy(c => c.Record.LastUsed ?? DateTimeOffset.MinValue).ThenBy(c => c.Record.FirstDetected)];
    }

    private async Task<(long Freed, List<string> Errors)> FreeSpaceAsync(long toFree, DateTimeOffset now, List<(string Id, ImageRecord Record)> candidates, CancellationToken cancellationToken)
    {
        long freed = 0;
        var errors = new List<string>();
        foreach (var (id, record) in candidates)
        {
            if (now - record.FirstDetected < policy.MinAge)
            {
                // Maybe just pulled, about to be used by a container.
                continue;
            }

            try
            {
                _logger.LogInformation("removing image {Image} to free {Bytes} bytes", id, record.Size);
                await runtime.RemoveImageAsync(new ImageSpec { Image = id }, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
            {
                errors.Add(KubeletEvents.RpcError(e));
                continue;
            }

            lock (_records)
            {
                _records.Remove(id);
            }

            freed += record.Size;
            if (freed >= toFree)
            {
                break;
            }
        }

        return (freed, errors);
    }

    private static void Add(HashSet<string> set, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            set.Add(value);
        }
    }

    private sealed class ImageRecord
    {
        public DateTimeOffset FirstDetected { get; init; }

        public DateTimeOffset? LastUsed { get; set; }

        public long Size { get; set; }
    }
}

/// <summary>Image garbage collection could not do what it had to (its message is the event's and the log's).</summary>
public sealed class ImageGCException(string message) : Exception(message);
