using System.Globalization;
using System.IO.Compression;
using Cetus.Cri;
using Cetus.Cri.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Logs;

/// <summary>How container logs are rotated (the kubelet's --container-log-max-size and --container-log-max-files).</summary>
public sealed record ContainerLogRotation
{
    /// <summary>A log at least this big is rotated (10Mi by default).</summary>
    public long MaxSize { get; init; } = 10 * 1024 * 1024;

    /// <summary>At most this many files per container log, the current one included (5 by default, at least 2).</summary>
    public int MaxFiles { get; init; } = 5;

    /// <summary>How often the running containers' logs are checked (10 s, upstream's default monitor interval).</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Rotates the logs of the node's running containers, as the kubelet's containerLogManager: every
/// <see cref="ContainerLogRotation.Period"/> each running container's log (ContainerStatus.log_path) at least
/// <see cref="ContainerLogRotation.MaxSize"/> big is renamed to <c>PATH.YYYYMMDD-HHMMSS</c> (UTC) and the runtime is
/// asked to reopen it (ReopenContainerLog; on failure the file is renamed back, to try again next time); rotated files
/// older than the newest <c>MaxFiles - 2</c> are deleted and the others gzipped (<c>.gz</c>), the newest rotated one
/// staying plain so that a follower can finish it.
/// </summary>
public sealed class ContainerLogManager
{
    private const string TimestampFormat = "yyyyMMdd-HHmmss";
    private const string CompressSuffix = ".gz";
    private const string TmpSuffix = ".tmp";

    private readonly IRuntimeService _runtime;
    private readonly ContainerLogRotation _rotation;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a manager over <paramref name="runtime"/>; <see cref="RunAsync"/> starts it.</summary>
    public ContainerLogManager(IRuntimeService runtime, ContainerLogRotation? rotation = null, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _rotation = rotation ?? new ContainerLogRotation();
        ArgumentOutOfRangeException.ThrowIfLessThan(_rotation.MaxFiles, 2, nameof(rotation));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_rotation.Period, TimeSpan.Zero, nameof(rotation));
        _runtime = runtime;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Checks the logs now and then every period until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                try
                {
                    await RotateLogsAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger.LogWarning(e, "container log rotation failed");
                }

                await Task.Delay(_rotation.Period, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass over the running containers; returns the ids of those whose log was rotated.</summary>
    public async Task<IReadOnlyList<string>> RotateLogsAsync(CancellationToken cancellationToken)
    {
        var running = await _runtime.ListContainersAsync(new ContainerFilter { State = new ContainerStateValue { State = ContainerState.ContainerRunning } }, cancellationToken).ConfigureAwait(false);
        var rotated = new List<string>();
        foreach (var container in running)
        {
            try
            {
                if (await RotateIfNeededAsync(container.Id, cancellationToken).ConfigureAwait(false))
                {
                    rotated.Add(container.Id);
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // Removed since the list: nothing to rotate.
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or RpcException)
            {
                // One container's trouble (gone meanwhile, a file in the way) does not stop the others.
                _logger.LogWarning(e, "rotating the log of container {ContainerId} failed", container.Id);
            }
        }

        return rotated;
    }

    private async Task<bool> RotateIfNeededAsync(string id, CancellationToken cancellationToken)
    {
        var status = await _runtime.ContainerStatusAsync(id, cancellationToken).ConfigureAwait(false);
        var path = status.LogPath;
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            // Lost (e.g. a rotation interrupted between rename and reopen): have the runtime create it again.
            await _runtime.ReopenContainerLogAsync(id, cancellationToken).ConfigureAwait(false);
            info.Refresh();
            if (!info.Exists)
            {
                return false;
            }
        }

        if (info.Length < _rotation.MaxSize)
        {
            return false;
        }

        var rotatedFiles = CleanUpUnused(RotatedFiles(path));
        rotatedFiles = RemoveExcess(rotatedFiles);
        foreach (var file in rotatedFiles.Where(f => !f.EndsWith(CompressSuffix, StringComparison.Ordinal)))
        {
            Compress(file);
        }

        var target = path + "." + _time.GetUtcNow().UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);
        File.Move(path, target);
        try
        {
            await _runtime.ReopenContainerLogAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Back in place, to be rotated on the next pass.
            File.Move(target, path);
            throw;
        }

        _logger.LogInformation("rotated the log of container {ContainerId} to {Path}", id, target);
        return true;
    }

    // The rotated files of a log (PATH.*), oldest first: the timestamp suffix sorts by time.
    private static List<string> RotatedFiles(string path)
    {
        // Simple matching: the Win32 rules would let "NAME.*" match NAME itself.
        var directory = Path.GetDirectoryName(path) ?? ".";
        var prefix = Path.GetFileName(path) + ".";
        return [.. Directory.GetFiles(directory, prefix + "*", new EnumerationOptions { MatchType = MatchType.Simple })
            .Where(f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
    }

    // Removes temporary files of an interrupted compression and plain files whose .gz exists; keeps the rest.
    private static List<string> CleanUpUnused(List<string> files)
    {
        var inUse = new List<string>();
        foreach (var file in files)
        {
            if (file.EndsWith(TmpSuffix, StringComparison.Ordinal) || (!file.EndsWith(CompressSuffix, StringComparison.Ordinal) && files.Contains(file + CompressSuffix)))
            {
                File.Delete(file);
            }
            else
            {
                inUse.Add(file);
            }
        }

        return inUse;
    }

    // The current file and the one about to be rotated leave room for MaxFiles - 2 older ones; the oldest go first.
    private List<string> RemoveExcess(List<string> files)
    {
        var keep = Math.Max(0, _rotation.MaxFiles - 2);
        var excess = Math.Max(0, files.Count - keep);
        foreach (var file in files.Take(excess))
        {
            File.Delete(file);
        }

        return files[excess..];
    }

    private static void Compress(string file)
    {
        var tmp = file + TmpSuffix;
        try
        {
            using (var source = File.OpenRead(file))
            using (var destination = File.Create(tmp))
            using (var gzip = new GZipStream(destination, CompressionLevel.Optimal))
            {
                source.CopyTo(gzip);
            }

            File.Move(tmp, file + CompressSuffix);
            File.Delete(file);
        }
        finally
        {
            File.Delete(tmp);
        }
    }
}
