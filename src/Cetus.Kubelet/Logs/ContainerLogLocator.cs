using System.Globalization;
using Cetus.Cri;
using Cetus.Cri.V1;
using Cetus.Kubelet.Pods;
using Grpc.Core;

namespace Cetus.Kubelet.Logs;

/// <summary>Where a container's log is: the file and the CRI container, or why there is none.</summary>
/// <param name="ContainerId">The CRI container (for following: is it still running?), null when not found.</param>
/// <param name="Path">The log file, null when not found.</param>
/// <param name="Error">Why there is no log, in the kubelet's words, null when found.</param>
public sealed record ContainerLogLocation(string? ContainerId, string? Path, string? Error)
{
    /// <summary>True when a log file was found.</summary>
    public bool Found => Path is not null;
}

/// <summary>
/// Finds the log file of a pod's container for <c>kubectl logs</c> (and <c>--previous</c>): the pod's CRI containers
/// of that name (labels io.kubernetes.pod.uid and io.kubernetes.container.name, across the pod's sandboxes, since a
/// restart may have happened in an earlier one), newest first by attempt then creation; the current instance is the
/// newest, the previous one the next. The file is the runtime's ContainerStatus.log_path.
/// </summary>
public static class ContainerLogLocator
{
    /// <summary>Finds the current (or, with <paramref name="previous"/>, the previous) instance's log.</summary>
    public static async Task<ContainerLogLocation> FindAsync(IRuntimeService runtime, string podUid, string podName, string containerName, bool previous, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var filter = new ContainerFilter { LabelSelector = { [CriLabels.PodUid] = podUid, [CriLabels.ContainerName] = containerName } };
        var instances = (await runtime.ListContainersAsync(filter, cancellationToken).ConfigureAwait(false))
            .OrderByDescending(c => c.Metadata?.Attempt ?? 0)
            .ThenByDescending(c => c.CreatedAt)
            .ToList();
        var index = previous ? 1 : 0;
        if (instances.Count <= index)
        {
            return new ContainerLogLocation(null, null, previous
                ? $"previous terminated container \"{containerName}\" in pod \"{podName}\" not found"
                : $"container \"{containerName}\" in pod \"{podName}\" is waiting to start");
        }

        var container = instances[index];
        ContainerStatus status;
        try
        {
            status = await runtime.ContainerStatusAsync(container.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Removed between the list and the status.
            return new ContainerLogLocation(container.Id, null, $"container \"{containerName}\" in pod \"{podName}\" not found");
        }

        return string.IsNullOrEmpty(status.LogPath)
            ? new ContainerLogLocation(container.Id, null, string.Create(CultureInfo.InvariantCulture, $"container \"{containerName}\" in pod \"{podName}\" (attempt {container.Metadata?.Attempt ?? 0}) has no log file"))
            : new ContainerLogLocation(container.Id, status.LogPath, null);
    }

    /// <summary>
    /// A follower's "is it still running?" for <see cref="ContainerLogReader.ReadAsync"/>: the container's CRI state,
    /// false once it is gone.
    /// </summary>
    public static Func<CancellationToken, Task<bool>> IsRunning(IRuntimeService runtime, string containerId)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return async cancellationToken =>
        {
            try
            {
                return (await runtime.ContainerStatusAsync(containerId, cancellationToken).ConfigureAwait(false)).State == ContainerState.ContainerRunning;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                return false;
            }
        };
    }
}
