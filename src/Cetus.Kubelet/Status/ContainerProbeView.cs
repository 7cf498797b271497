namespace Cetus.Kubelet.Status;

/// <summary>
/// What the probes say about one running container (the prober manager's UpdatePodStatus): whether it has started
/// (its startup probe succeeded, or it has none) and whether it is ready (started, and its readiness probe succeeded,
/// or it has none). Applies only to the container instance <paramref name="ContainerId"/>.
/// </summary>
/// <param name="ContainerId">The runtime's id of the container instance the results are about.</param>
/// <param name="Started">The container's <c>started</c>.</param>
/// <param name="Ready">The container's <c>ready</c>.</param>
public sealed record ContainerProbeView(string ContainerId, bool Started, bool Ready);
