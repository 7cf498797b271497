using k8s;
using k8s.Models;

namespace Cetus.Controllers.Common;

/// <summary>The <see cref="IControllerClient"/> over the KubernetesClient package (HTTPS to the API server).</summary>
public sealed class KubernetesControllerClient : IControllerClient
{
    private readonly IKubernetes _client;

    /// <summary>Wraps a client.</summary>
    public KubernetesControllerClient(IKubernetes client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <inheritdoc/>
    public Task<V1Pod> CreatePodAsync(string ns, V1Pod pod, CancellationToken cancellationToken) =>
        _client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task DeletePodAsync(string ns, string name, string? uid, CancellationToken cancellationToken) =>
        _client.CoreV1.DeleteNamespacedPodAsync(name, ns, Preconditions(uid), cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<V1Pod> PatchPodAsync(string ns, string name, string patch, CancellationToken cancellationToken) =>
        _client.CoreV1.PatchNamespacedPodAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), name, ns, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<V1ReplicaSet> CreateReplicaSetAsync(string ns, V1ReplicaSet replicaSet, CancellationToken cancellationToken) =>
        _client.AppsV1.CreateNamespacedReplicaSetAsync(replicaSet, ns, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<V1ReplicaSet> UpdateReplicaSetAsync(V1ReplicaSet replicaSet, CancellationToken cancellationToken) =>
        _client.AppsV1.ReplaceNamespacedReplicaSetAsync(replicaSet, replicaSet.Metadata.Name, replicaSet.Metadata.NamespaceProperty, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<V1ReplicaSet> UpdateReplicaSetStatusAsync(V1ReplicaSet replicaSet, CancellationToken cancellationToken) =>
        _client.AppsV1.ReplaceNamespacedReplicaSetStatusAsync(replicaSet, replicaSet.Metadata.Name, replicaSet.Metadata.NamespaceProperty, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<V1ReplicaSet> PatchReplicaSetAsync(string ns, string name, string patch, CancellationToken cancellationToken) =>
        _client.AppsV1.PatchNamespacedReplicaSetAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), name, ns, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task DeleteReplicaSetAsync(string ns, string name, string? uid, CancellationToken cancellationToken) =>
        _client.AppsV1.DeleteNamespacedReplicaSetAsync(name, ns, Preconditions(uid), cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<V1ReplicaSet> GetReplicaSetAsync(string ns, string name, CancellationToken cancellationToken) =>
        _client.AppsV1.ReadNamespacedReplicaSetAsync(name, ns, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<V1Deployment> UpdateDeploymentStatusAsync(V1Deployment deployment, CancellationToken cancellationToken) =>
        _client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(deployment, deployment.Metadata.Name, deployment.Metadata.NamespaceProperty, cancellationToken: cancellationToken);

    private static V1DeleteOptions Preconditions(string? uid) => new()
    {
        PropagationPolicy = "Background",
        Preconditions = uid is null ? null : new V1Preconditions { Uid = uid },
    };
}
