using Cetus.Cri;
using Cetus.Cri.V1;
using Cetus.Kubelet.Pods;

namespace Cetus.Kubelet.Server;

/// <summary>A container of a pod as the runtime has it.</summary>
/// <param name="SandboxId">The pod's ready sandbox.</param>
/// <param name="Container">The newest instance of the container (null when none exists yet).</param>
/// <param name="Previous">The instance before it (null when there is none).</param>
internal sealed record RuntimeContainer(string SandboxId, Container? Container, Container? Previous);

/// <summary>
/// Finds a pod's sandbox and containers in the runtime by the kubelet's CRI labels (namespace, pod name, container
/// name), as the kubelet's server resolves /exec/NS/POD/CONTAINER and friends.
/// </summary>
internal sealed class RuntimePods(IRuntimeService runtime)
{
    /// <summary>The pod's ready sandbox id, or null when the pod has none on this node.</summary>
    public async Task<string?> SandboxAsync(string podNamespace, string podName, CancellationToken cancellationToken)
    {
        var sandboxes = await runtime.ListPodSandboxAsync(new PodSandboxFilter
        {
            State = new PodSandboxStateValue { State = PodSandboxState.SandboxReady },
            LabelSelector = { [CriLabels.PodNamespace] = podNamespace, [CriLabels.PodName] = podName },
        }, cancellationToken).ConfigureAwait(false);
        return sandboxes.OrderByDescending(s => s.CreatedAt).FirstOrDefault()?.Id;
    }

    /// <summary>The uid of the pod's newest sandbox in any state, or null when the runtime has none for it.</summary>
    public async Task<string?> PodUidAsync(string podNamespace, string podName, CancellationToken cancellationToken)
    {
        var sandboxes = await runtime.ListPodSandboxAsync(new PodSandboxFilter
        {
            LabelSelector = { [CriLabels.PodNamespace] = podNamespace, [CriLabels.PodName] = podName },
        }, cancellationToken).ConfigureAwait(false);
        return sandboxes.OrderByDescending(s => s.CreatedAt).FirstOrDefault()?.Metadata?.Uid;
    }

    /// <summary>The pod's container <paramref name="containerName"/>: its newest and previous instances; null without a sandbox.</summary>
    public async Task<RuntimeContainer?> ContainerAsync(string podNamespace, string podName, string containerName, CancellationToken cancellationToken)
    {
        var sandbox = await SandboxAsync(podNamespace, podName, cancellationToken).ConfigureAwait(false);
        if (sandbox is null)
        {
            return null;
        }

        var containers = await runtime.ListContainersAsync(new ContainerFilter
        {
            PodSandboxId = sandbox,
            LabelSelector = { [CriLabels.ContainerName] = containerName },
        }, cancellationToken).ConfigureAwait(false);
        var newest = containers.OrderByDescending(c => c.Metadata?.Attempt ?? 0).ThenByDescending(c => c.CreatedAt).Take(2).ToList();
        return new RuntimeContainer(sandbox, newest.ElementAtOrDefault(0), newest.ElementAtOrDefault(1));
    }
}
