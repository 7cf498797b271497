namespace Cetus.Kubelet.Status;

/// <summary>A container's state in the runtime (CRI ContainerState).</summary>
public enum RuntimeContainerState
{
    /// <summary>Created, not started.</summary>
    Created,

    /// <summary>Running.</summary>
    Running,

    /// <summary>Exited (with an exit code).</summary>
    Exited,

    /// <summary>Unknown to the runtime.</summary>
    Unknown,
}

/// <summary>One container instance (one attempt) as the runtime reports it.</summary>
/// <param name="Name">The container's name in the pod spec.</param>
/// <param name="Attempt">The attempt number (0 for the first; the restart count of the latest).</param>
/// <param name="Id">The runtime's container id.</param>
/// <param name="State">Its state.</param>
/// <param name="StartedAt">When it started, if it did.</param>
/// <param name="FinishedAt">When it exited, if it did.</param>
/// <param name="ExitCode">The exit code once exited.</param>
/// <param name="Reason">The runtime's reason once exited (Completed, Error, OOMKilled).</param>
/// <param name="Message">The runtime's message.</param>
/// <param name="ImageRef">The image id it runs.</param>
public sealed record RuntimeContainer(string Name, uint Attempt, string Id, RuntimeContainerState State, DateTime? StartedAt, DateTime? FinishedAt, int ExitCode, string Reason, string Message, string ImageRef);

/// <summary>What the runtime holds for one pod (Kubernetes' kubecontainer.PodStatus): its sandbox and container instances.</summary>
/// <param name="SandboxReady">True when the pod has a ready sandbox.</param>
/// <param name="PodIP">The sandbox's IP, when it has one.</param>
/// <param name="Containers">Every container instance of the current sandbox, all attempts.</param>
/// <param name="RuntimeName">The runtime's name, the scheme of container ids (containerd://ID).</param>
public sealed record RuntimePodState(bool SandboxReady, string? PodIP, IReadOnlyList<RuntimeContainer> Containers, string RuntimeName)
{
    /// <summary>Nothing in the runtime yet.</summary>
    public static RuntimePodState Empty(string runtimeName) => new(false, null, [], runtimeName);

    /// <summary>The latest attempt of container <paramref name="name"/>, or null.</summary>
    public RuntimeContainer? Latest(string name) => Containers.Where(c => c.Name == name).MaxBy(c => c.Attempt);

    /// <summary>The attempt before the latest of <paramref name="name"/>, or null.</summary>
    public RuntimeContainer? Previous(string name) => Containers.Where(c => c.Name == name).OrderByDescending(c => c.Attempt).Skip(1).FirstOrDefault();
}

/// <summary>Why a container is waiting, when the kubelet knows better than "ContainerCreating" (ErrImagePull, …).</summary>
/// <param name="Reason">The reason (CamelCase).</param>
/// <param name="Message">A message for humans.</param>
public sealed record ContainerWaiting(string Reason, string Message)
{
    /// <summary>When set, the pod must be synced again after this long (an image pull backoff ends).</summary>
    public TimeSpan? RetryAfter { get; init; }
}
