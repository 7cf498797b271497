using k8s;
using k8s.Models;

namespace Cetus.Scheduler;

/// <summary>The scheduler's writes to the API server, behind an interface so that tests can fake them.</summary>
internal interface ISchedulerClient
{
    /// <summary>POST pods/NAME/binding.</summary>
    Task BindAsync(V1Pod pod, string nodeName, CancellationToken cancellationToken);

    /// <summary>Sets the pod's PodScheduled condition (strategic merge patch of pods/status, merged by condition type).</summary>
    Task SetPodScheduledConditionAsync(V1Pod pod, V1PodCondition condition, CancellationToken cancellationToken);

    /// <summary>Sets (or with null clears) status.nominatedNodeName (merge patch of pods/status).</summary>
    Task SetNominatedNodeNameAsync(V1Pod pod, string? nodeName, CancellationToken cancellationToken);

    /// <summary>Deletes a preemption victim gracefully, only if it is still the same pod (UID precondition).</summary>
    Task DeletePodAsync(V1Pod pod, CancellationToken cancellationToken);
}

/// <summary>The scheduler's writes over HTTPS.</summary>
internal sealed class KubernetesSchedulerClient(IKubernetes client) : ISchedulerClient
{
    public Task BindAsync(V1Pod pod, string nodeName, CancellationToken cancellationToken) =>
        client.CoreV1.CreateNamespacedPodBindingAsync(
            new V1Binding
            {
                Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty, Uid = pod.Metadata.Uid },
                Target = new V1ObjectReference { Kind = "Node", Name = nodeName },
            },
            pod.Metadata.Name,
            pod.Metadata.NamespaceProperty,
            cancellationToken: cancellationToken);

    public Task SetPodScheduledConditionAsync(V1Pod pod, V1PodCondition condition, CancellationToken cancellationToken)
    {
        var patch = KubernetesJson.Serialize(new { status = new { conditions = new[] { condition } } });
        return client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
    }

    public Task SetNominatedNodeNameAsync(V1Pod pod, string? nodeName, CancellationToken cancellationToken)
    {
        var patch = KubernetesJson.Serialize(new { status = new { nominatedNodeName = nodeName } });
        return client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
    }

    public Task DeletePodAsync(V1Pod pod, CancellationToken cancellationToken) =>
        client.CoreV1.DeleteNamespacedPodAsync(
            pod.Metadata.Name,
            pod.Metadata.NamespaceProperty,
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } },
            cancellationToken: cancellationToken);
}
