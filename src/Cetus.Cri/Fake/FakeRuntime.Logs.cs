using Cetus.Cri.V1;
using Grpc.Core;

namespace Cetus.Cri.Fake;

/// <summary>Container log files of the fake runtime: their paths and ReopenContainerLog.</summary>
public sealed partial class FakeRuntime
{
    private readonly List<string> _reopened = [];

    /// <summary>The containers whose log was reopened (ReopenContainerLog calls that succeeded), in order.</summary>
    public IReadOnlyList<string> ReopenedLogs
    {
        get
        {
            lock (_lock)
            {
                return [.. _reopened];
            }
        }
    }

    /// <summary>Gives container <paramref name="containerId"/> the log file <paramref name="path"/> (what ContainerStatus reports).</summary>
    public void SetLogPath(string containerId, string path)
    {
        lock (_lock)
        {
            ContainerOrThrow(containerId).Status.LogPath = path;
        }
    }

    /// <inheritdoc/>
    /// <remarks>As containerd: only a running container's log can be reopened; the file is created again when it is gone.</remarks>
    public Task ReopenContainerLogAsync(string containerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("ReopenContainerLog");
            var container = ContainerOrThrow(containerId);
            if (container.Status.State != ContainerState.ContainerRunning)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"container {containerId} is not running"));
            }

            if (Path.IsPathRooted(container.Status.LogPath))
            {
                using (new FileStream(container.Status.LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
                {
                }
            }

            _reopened.Add(containerId);
            return Task.CompletedTask;
        }
    }

    // As containerd: a container's log path is the sandbox's log directory joined with the container's relative path.
    private static string LogPathOf(PodSandboxConfig sandbox, ContainerConfig container) =>
        string.IsNullOrEmpty(sandbox.LogDirectory) || string.IsNullOrEmpty(container.LogPath) ? container.LogPath : Path.Combine(sandbox.LogDirectory, container.LogPath);
}
