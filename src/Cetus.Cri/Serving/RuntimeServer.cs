using Cetus.Cri.V1;
using Grpc.Core;

namespace Cetus.Cri.Serving;

/// <summary>
/// Serves any <see cref="IContainerRuntime"/> as the CRI RuntimeService over gRPC: lets the real client be tested
/// against the fake runtime without containerd, and lets tools such as crictl talk to a fake node.
/// </summary>
public sealed class RuntimeServer(IContainerRuntime runtime) : RuntimeService.RuntimeServiceBase
{
    /// <inheritdoc/>
    public override Task<VersionResponse> Version(VersionRequest request, ServerCallContext context) => runtime.VersionAsync(context.CancellationToken);

    /// <inheritdoc/>
    public override async Task<StatusResponse> Status(StatusRequest request, ServerCallContext context) =>
        new() { Status = await runtime.StatusAsync(context.CancellationToken).ConfigureAwait(false) };

    /// <inheritdoc/>
    public override async Task<RunPodSandboxResponse> RunPodSandbox(RunPodSandboxRequest request, ServerCallContext context) =>
        new() { PodSandboxId = await runtime.RunPodSandboxAsync(request.Config, request.RuntimeHandler, context.CancellationToken).ConfigureAwait(false) };

    /// <inheritdoc/>
    public override async Task<StopPodSandboxResponse> StopPodSandbox(StopPodSandboxRequest request, ServerCallContext context)
    {
        await runtime.StopPodSandboxAsync(request.PodSandboxId, context.CancellationToken).ConfigureAwait(false);
        return new();
    }

    /// <inheritdoc/>
    public override async Task<RemovePodSandboxResponse> RemovePodSandbox(RemovePodSandboxRequest request, ServerCallContext context)
    {
        await runtime.RemovePodSandboxAsync(request.PodSandboxId, context.CancellationToken).ConfigureAwait(false);
        return new();
    }

    /// <inheritdoc/>
    public override async Task<PodSandboxStatusResponse> PodSandboxStatus(PodSandboxStatusRequest request, ServerCallContext context) =>
        new() { Status = await runtime.PodSandboxStatusAsync(request.PodSandboxId, context.CancellationToken).ConfigureAwait(false) };

    /// <inheritdoc/>
    public override async Task<ListPodSandboxResponse> ListPodSandbox(ListPodSandboxRequest request, ServerCallContext context) =>
        new() { Items = { await runtime.ListPodSandboxAsync(request.Filter, context.CancellationToken).ConfigureAwait(false) } };

    /// <inheritdoc/>
    public override async Task<CreateContainerResponse> CreateContainer(CreateContainerRequest request, ServerCallContext context) =>
        new() { ContainerId = await runtime.CreateContainerAsync(request.PodSandboxId, request.Config, request.SandboxConfig, context.CancellationToken).ConfigureAwait(false) };

    /// <inheritdoc/>
    public override async Task<StartContainerResponse> StartContainer(StartContainerRequest request, ServerCallContext context)
    {
        await runtime.StartContainerAsync(request.ContainerId, context.CancellationToken).ConfigureAwait(false);
        return new();
    }

    /// <inheritdoc/>
    public override async Task<StopContainerResponse> StopContainer(StopContainerRequest request, ServerCallContext context)
    {
        await runtime.StopContainerAsync(request.ContainerId, request.Timeout, context.CancellationToken).ConfigureAwait(false);
        return new();
    }

    /// <inheritdoc/>
    public override async Task<RemoveContainerResponse> RemoveContainer(RemoveContainerRequest request, ServerCallContext context)
    {
        await runtime.RemoveContainerAsync(request.ContainerId, context.CancellationToken).ConfigureAwait(false);
        return new();
    }

    /// <inheritdoc/>
    public override async Task<ListContainersResponse> ListContainers(ListContainersRequest request, ServerCallContext context) =>
        new() { Containers = { await runtime.ListContainersAsync(request.Filter, context.CancellationToken).ConfigureAwait(false) } };

    /// <inheritdoc/>
    public override async Task<ContainerStatusResponse> ContainerStatus(ContainerStatusRequest request, ServerCallContext context) =>
        new() { Status = await runtime.ContainerStatusAsync(request.ContainerId, context.CancellationToken).ConfigureAwait(false) };

    /// <inheritdoc/>
    public override Task<ExecSyncResponse> ExecSync(ExecSyncRequest request, ServerCallContext context) =>
        runtime.ExecSyncAsync(request.ContainerId, request.Cmd, request.Timeout, context.CancellationToken);

    /// <inheritdoc/>
    public override async Task<ReopenContainerLogResponse> ReopenContainerLog(ReopenContainerLogRequest request, ServerCallContext context)
    {
        await runtime.ReopenContainerLogAsync(request.ContainerId, context.CancellationToken).ConfigureAwait(false);
        return new();
    }

    /// <inheritdoc/>
    public override async Task<ContainerStatsResponse> ContainerStats(ContainerStatsRequest request, ServerCallContext context) =>
        new() { Stats = await runtime.ContainerStatsAsync(request.ContainerId, context.CancellationToken).ConfigureAwait(false) };

    /// <inheritdoc/>
    public override async Task<ListContainerStatsResponse> ListContainerStats(ListContainerStatsRequest request, ServerCallContext context) =>
        new() { Stats = { await runtime.ListContainerStatsAsync(request.Filter, context.CancellationToken).ConfigureAwait(false) } };
}

/// <summary>Serves any <see cref="IContainerRuntime"/> as the CRI ImageService over gRPC.</summary>
public sealed class ImageServer(IContainerRuntime runtime) : ImageService.ImageServiceBase
{
    /// <inheritdoc/>
    public override async Task<ListImagesResponse> ListImages(ListImagesRequest request, ServerCallContext context) =>
        new() { Images = { await runtime.ListImagesAsync(request.Filter, context.CancellationToken).ConfigureAwait(false) } };

    /// <inheritdoc/>
    public override async Task<ImageStatusResponse> ImageStatus(ImageStatusRequest request, ServerCallContext context) =>
        new() { Image = await runtime.ImageStatusAsync(request.Image, context.CancellationToken).ConfigureAwait(false) };

    /// <inheritdoc/>
    public override async Task<PullImageResponse> PullImage(PullImageRequest request, ServerCallContext context) =>
        new() { ImageRef = await runtime.PullImageAsync(request.Image, request.Auth, request.SandboxConfig, context.CancellationToken).ConfigureAwait(false) };

    /// <inheritdoc/>
    public override async Task<RemoveImageResponse> RemoveImage(RemoveImageRequest request, ServerCallContext context)
    {
        await runtime.RemoveImageAsync(request.Image, context.CancellationToken).ConfigureAwait(false);
        return new();
    }

    /// <inheritdoc/>
    public override Task<ImageFsInfoResponse> ImageFsInfo(ImageFsInfoRequest request, ServerCallContext context) =>
        runtime.ImageFsInfoAsync(context.CancellationToken);
}
