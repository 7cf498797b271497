using Cetus.Cri.V1;

namespace Cetus.Cri;

/// <summary>
/// The runtime half of CRI (Kubernetes' internalapi.RuntimeService), with the generated runtime.v1 messages as its
/// types. Errors are <see cref="Grpc.Core.RpcException"/>s with gRPC status codes, as a real runtime returns them
/// (<see cref="Grpc.Core.StatusCode.NotFound"/> for an unknown sandbox or container); stop and remove calls are
/// idempotent. Implemented by <see cref="Remote.RemoteRuntime"/> (containerd over a unix socket) and
/// <see cref="Fake.FakeRuntime"/> (in memory).
/// </summary>
public interface IRuntimeService
{
    /// <summary>The runtime's name and versions.</summary>
    Task<VersionResponse> VersionAsync(CancellationToken cancellationToken);

    /// <summary>The runtime's conditions (RuntimeReady, NetworkReady).</summary>
    Task<RuntimeStatus> StatusAsync(CancellationToken cancellationToken);

    /// <summary>Creates and starts a pod sandbox; returns its id.</summary>
    Task<string> RunPodSandboxAsync(PodSandboxConfig config, string runtimeHandler, CancellationToken cancellationToken);

    /// <summary>Stops a sandbox and every container in it (idempotent).</summary>
    Task StopPodSandboxAsync(string podSandboxId, CancellationToken cancellationToken);

    /// <summary>Removes a sandbox and its containers (idempotent).</summary>
    Task RemovePodSandboxAsync(string podSandboxId, CancellationToken cancellationToken);

    /// <summary>The status of one sandbox (NotFound when it does not exist).</summary>
    Task<PodSandboxStatus> PodSandboxStatusAsync(string podSandboxId, CancellationToken cancellationToken);

    /// <summary>The sandboxes matching <paramref name="filter"/> (all when null).</summary>
    Task<IReadOnlyList<PodSandbox>> ListPodSandboxAsync(PodSandboxFilter? filter, CancellationToken cancellationToken);

    /// <summary>Creates a container in a sandbox; returns its id.</summary>
    Task<string> CreateContainerAsync(string podSandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig, CancellationToken cancellationToken);

    /// <summary>Starts a created container.</summary>
    Task StartContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Stops a container, killing it after <paramref name="timeoutSeconds"/> (idempotent).</summary>
    Task StopContainerAsync(string containerId, long timeoutSeconds, CancellationToken cancellationToken);

    /// <summary>Removes a container (idempotent).</summary>
    Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>The containers matching <paramref name="filter"/> (all when null).</summary>
    Task<IReadOnlyList<Container>> ListContainersAsync(ContainerFilter? filter, CancellationToken cancellationToken);

    /// <summary>The status of one container (NotFound when it does not exist).</summary>
    Task<ContainerStatus> ContainerStatusAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="command"/> in a running container and waits for it, at most <paramref name="timeoutSeconds"/>
    /// (0: no limit; a command still running then fails with DeadlineExceeded); returns its output and exit code.
    /// </summary>
    Task<ExecSyncResponse> ExecSyncAsync(string containerId, IReadOnlyList<string> command, long timeoutSeconds, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the runtime to reopen the stdout/stderr log file of a running container, after the kubelet renamed it away
    /// for rotation (FailedPrecondition when the container is not running).
    /// </summary>
    Task ReopenContainerLogAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>The resource usage of one container (NotFound when it does not exist).</summary>
    Task<ContainerStats> ContainerStatsAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>The resource usage of the containers matching <paramref name="filter"/> (all when null).</summary>
    Task<IReadOnlyList<ContainerStats>> ListContainerStatsAsync(ContainerStatsFilter? filter, CancellationToken cancellationToken);
}

/// <summary>The image half of CRI (Kubernetes' internalapi.ImageManagerService); errors as in <see cref="IRuntimeService"/>.</summary>
public interface IImageService
{
    /// <summary>The images matching <paramref name="filter"/> (all when null).</summary>
    Task<IReadOnlyList<Image>> ListImagesAsync(ImageFilter? filter, CancellationToken cancellationToken);

    /// <summary>The image, or null when the runtime does not have it.</summary>
    Task<Image?> ImageStatusAsync(ImageSpec image, CancellationToken cancellationToken);

    /// <summary>Pulls an image; returns its reference (image id).</summary>
    Task<string> PullImageAsync(ImageSpec image, AuthConfig? auth, PodSandboxConfig? sandboxConfig, CancellationToken cancellationToken);

    /// <summary>Removes an image (idempotent).</summary>
    Task RemoveImageAsync(ImageSpec image, CancellationToken cancellationToken);

    /// <summary>The filesystem(s) holding images: mount point and the bytes images use.</summary>
    Task<ImageFsInfoResponse> ImageFsInfoAsync(CancellationToken cancellationToken);
}

/// <summary>One container runtime: both CRI services, as the kubelet uses them.</summary>
public interface IContainerRuntime : IRuntimeService, IImageService
{
}

/// <summary>
/// CRI's streaming calls (Exec, Attach, PortForward): each returns the URL of the runtime's stream server where the
/// caller then streams (WebSocket or SPDY), as Kubernetes' kubelet does. Implemented by <see cref="Remote.RemoteRuntime"/>;
/// the fake runtime has no stream server.
/// </summary>
public interface IStreamingRuntime
{
    /// <summary>Prepares a command in a running container; returns the stream server's single-use URL.</summary>
    Task<string> ExecAsync(ExecRequest request, CancellationToken cancellationToken);

    /// <summary>Prepares an attach to a running container's main process; returns the stream server's single-use URL.</summary>
    Task<string> AttachAsync(AttachRequest request, CancellationToken cancellationToken);

    /// <summary>Prepares forwarding to ports of a sandbox's network namespace; returns the stream server's single-use URL.</summary>
    Task<string> PortForwardAsync(PortForwardRequest request, CancellationToken cancellationToken);
}
