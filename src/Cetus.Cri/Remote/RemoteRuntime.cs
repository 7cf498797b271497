using System.Net.Sockets;
using Cetus.Cri.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cetus.Cri.Remote;

/// <summary>
/// A CRI runtime reached over gRPC on a unix socket (containerd's <c>/run/containerd/containerd.sock</c>): every call
/// maps to the runtime.v1 RPC of the same name, with a deadline of <see cref="RemoteRuntimeOptions.Timeout"/>
/// (Kubernetes' kubelet uses 2 minutes; image pulls get no deadline of their own beyond cancellation).
/// </summary>
public sealed class RemoteRuntime : IContainerRuntime, IStreamingRuntime, IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly RuntimeService.RuntimeServiceClient _runtime;
    private readonly ImageService.ImageServiceClient _images;
    private readonly TimeSpan _timeout;

    /// <summary>Connects (lazily, on the first call) to the runtime listening on <paramref name="socketPath"/>.</summary>
    public RemoteRuntime(string socketPath, RemoteRuntimeOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        options ??= new RemoteRuntimeOptions();
        _timeout = options.Timeout;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };

        // The authority is irrelevant over a unix socket; http (h2c) because the socket is not TLS.
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
            DisposeHttpClient = true,
        });
        _runtime = new RuntimeService.RuntimeServiceClient(_channel);
        _images = new ImageService.ImageServiceClient(_channel);
    }

    /// <inheritdoc/>
    public async Task<VersionResponse> VersionAsync(CancellationToken cancellationToken) =>
        await _runtime.VersionAsync(new VersionRequest { Version = "v1" }, Options(cancellationToken)).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<RuntimeStatus> StatusAsync(CancellationToken cancellationToken) =>
        (await _runtime.StatusAsync(new StatusRequest(), Options(cancellationToken)).ConfigureAwait(false)).Status ?? new RuntimeStatus();

    /// <inheritdoc/>
    public async Task<string> RunPodSandboxAsync(PodSandboxConfig config, string runtimeHandler, CancellationToken cancellationToken) =>
        (await _runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config, RuntimeHandler = runtimeHandler ?? string.Empty }, Options(cancellationToken)).ConfigureAwait(false)).PodSandboxId;

    /// <inheritdoc/>
    public async Task StopPodSandboxAsync(string podSandboxId, CancellationToken cancellationToken) =>
        await _runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = podSandboxId }, Options(cancellationToken)).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task RemovePodSandboxAsync(string podSandboxId, CancellationToken cancellationToken) =>
        await _runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = podSandboxId }, Options(cancellationToken)).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<PodSandboxStatus> PodSandboxStatusAsync(string podSandboxId, CancellationToken cancellationToken) =>
        (await _runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = podSandboxId }, Options(cancellationToken)).ConfigureAwait(false)).Status;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<PodSandbox>> ListPodSandboxAsync(PodSandboxFilter? filter, CancellationToken cancellationToken) =>
        (await _runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = filter }, Options(cancellationToken)).ConfigureAwait(false)).Items;

    /// <inheritdoc/>
    public async Task<string> CreateContainerAsync(string podSandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig, CancellationToken cancellationToken) =>
        (await _runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = podSandboxId, Config = config, SandboxConfig = sandboxConfig }, Options(cancellationToken)).ConfigureAwait(false)).ContainerId;

    /// <inheritdoc/>
    public async Task StartContainerAsync(string containerId, CancellationToken cancellationToken) =>
        await _runtime.StartContainerAsync(new StartContainerRequest { ContainerId = containerId }, Options(cancellationToken)).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task StopContainerAsync(string containerId, long timeoutSeconds, CancellationToken cancellationToken) =>
        // The runtime may take the whole grace period: the deadline covers it.
        await _runtime.StopContainerAsync(new StopContainerRequest { ContainerId = containerId, Timeout = timeoutSeconds }, Options(cancellationToken, TimeSpan.FromSeconds(Math.Max(0, timeoutSeconds)))).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken) =>
        await _runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = containerId }, Options(cancellationToken)).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Container>> ListContainersAsync(ContainerFilter? filter, CancellationToken cancellationToken) =>
        (await _runtime.ListContainersAsync(new ListContainersRequest { Filter = filter }, Options(cancellationToken)).ConfigureAwait(false)).Containers;

    /// <inheritdoc/>
    public async Task<ContainerStatus> ContainerStatusAsync(string containerId, CancellationToken cancellationToken) =>
        (await _runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = containerId }, Options(cancellationToken)).ConfigureAwait(false)).Status;

    /// <inheritdoc/>
    public async Task<ExecSyncResponse> ExecSyncAsync(string containerId, IReadOnlyList<string> command, long timeoutSeconds, CancellationToken cancellationToken) =>
        // The command may take its whole timeout: the deadline covers it.
        await _runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = containerId, Cmd = { command }, Timeout = timeoutSeconds }, Options(cancellationToken, TimeSpan.FromSeconds(Math.Max(0, timeoutSeconds)))).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<string> ExecAsync(ExecRequest request, CancellationToken cancellationToken) =>
        (await _runtime.ExecAsync(request, Options(cancellationToken)).ConfigureAwait(false)).Url;

    /// <inheritdoc/>
    public async Task<string> AttachAsync(AttachRequest request, CancellationToken cancellationToken) =>
        (await _runtime.AttachAsync(request, Options(cancellationToken)).ConfigureAwait(false)).Url;

    /// <inheritdoc/>
    public async Task<string> PortForwardAsync(PortForwardRequest request, CancellationToken cancellationToken) =>
        (await _runtime.PortForwardAsync(request, Options(cancellationToken)).ConfigureAwait(false)).Url;

    /// <inheritdoc/>
    public async Task ReopenContainerLogAsync(string containerId, CancellationToken cancellationToken) =>
        await _runtime.ReopenContainerLogAsync(new ReopenContainerLogRequest { ContainerId = containerId }, Options(cancellationToken)).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<ContainerStats> ContainerStatsAsync(string containerId, CancellationToken cancellationToken) =>
        (await _runtime.ContainerStatsAsync(new ContainerStatsRequest { ContainerId = containerId }, Options(cancellationToken)).ConfigureAwait(false)).Stats;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ContainerStats>> ListContainerStatsAsync(ContainerStatsFilter? filter, CancellationToken cancellationToken) =>
        (await _runtime.ListContainerStatsAsync(new ListContainerStatsRequest { Filter = filter }, Options(cancellationToken)).ConfigureAwait(false)).Stats;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Image>> ListImagesAsync(ImageFilter? filter, CancellationToken cancellationToken) =>
        (await _images.ListImagesAsync(new ListImagesRequest { Filter = filter }, Options(cancellationToken)).ConfigureAwait(false)).Images;

    /// <inheritdoc/>
    public async Task<Image?> ImageStatusAsync(ImageSpec image, CancellationToken cancellationToken) =>
        (await _images.ImageStatusAsync(new ImageStatusRequest { Image = image }, Options(cancellationToken)).ConfigureAwait(false)).Image;

    /// <inheritdoc/>
    public async Task<string> PullImageAsync(ImageSpec image, AuthConfig? auth, PodSandboxConfig? sandboxConfig, CancellationToken cancellationToken) =>
        (await _images.PullImageAsync(new PullImageRequest { Image = image, Auth = auth, SandboxConfig = sandboxConfig }, new CallOptions(cancellationToken: cancellationToken)).ConfigureAwait(false)).ImageRef;

    /// <inheritdoc/>
    public async Task RemoveImageAsync(ImageSpec image, CancellationToken cancellationToken) =>
        await _images.RemoveImageAsync(new RemoveImageRequest { Image = image }, Options(cancellationToken)).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<ImageFsInfoResponse> ImageFsInfoAsync(CancellationToken cancellationToken) =>
        await _images.ImageFsInfoAsync(new ImageFsInfoRequest(), Options(cancellationToken)).ConfigureAwait(false);

    /// <summary>Closes the channel.</summary>
    public void Dispose() => _channel.Dispose();

    private CallOptions Options(CancellationToken cancellationToken, TimeSpan extra = default) =>
        new(deadline: DateTime.UtcNow + _timeout + extra, cancellationToken: cancellationToken);
}

/// <summary>How <see cref="RemoteRuntime"/> talks to the runtime.</summary>
public sealed record RemoteRuntimeOptions
{
    /// <summary>The deadline of each call (the kubelet's --runtime-request-timeout, 2 minutes by default).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The largest response accepted (the kubelet allows 16 MB).</summary>
    public int MaxReceiveMessageSize { get; init; } = 16 * 1024 * 1024;
}
