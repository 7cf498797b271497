namespace Cetus.Kubelet.Pods;

/// <summary>
/// The labels the kubelet puts on sandboxes and containers to find its pods again in the runtime (Kubernetes' own
/// io.kubernetes.* keys, so crictl shows them as for any kubelet), plus the container's kind.
/// </summary>
public static class CriLabels
{
    /// <summary>The pod's name.</summary>
    public const string PodName = "io.kubernetes.pod.name";

    /// <summary>The pod's namespace.</summary>
    public const string PodNamespace = "io.kubernetes.pod.namespace";

    /// <summary>The pod's uid: the key sandboxes and containers are found by.</summary>
    public const string PodUid = "io.kubernetes.pod.uid";

    /// <summary>The container's name in the pod spec.</summary>
    public const string ContainerName = "io.kubernetes.container.name";

    /// <summary>The container's kind: <see cref="Init"/>, <see cref="Sidecar"/> or <see cref="App"/>.</summary>
    public const string ContainerKind = "cetus.io/container-kind";

    /// <summary>A plain init container (runs to completion before the next).</summary>
    public const string Init = "init";

    /// <summary>A native sidecar (init container with restartPolicy Always).</summary>
    public const string Sidecar = "sidecar";

    /// <summary>An app container.</summary>
    public const string App = "app";
}
