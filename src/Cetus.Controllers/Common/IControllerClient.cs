using k8s.Models;

namespace Cetus.Controllers.Common;

/// <summary>
/// The writes the workload controllers make, through the API server. Failures are
/// <see cref="k8s.Autorest.HttpOperationException"/>s carrying the HTTP status (see <see cref="ApiErrors"/>); tests
/// use a fake that records the calls.
/// </summary>
public interface IControllerClient
{
    /// <summary>Creates a pod (generateName allowed).</summary>
    Task<V1Pod> CreatePodAsync(string ns, V1Pod pod, CancellationToken cancellationToken);

    /// <summary>Deletes a pod, only if it still has uid <paramref name="uid"/>.</summary>
    Task DeletePodAsync(string ns, string name, string? uid, CancellationToken cancellationToken);

    /// <summary>Applies a strategic-merge patch to a pod (adoption and release of ownerReferences).</summary>
    Task<V1Pod> PatchPodAsync(string ns, string name, string patch, CancellationToken cancellationToken);

    /// <summary>Creates a ReplicaSet.</summary>
    Task<V1ReplicaSet> CreateReplicaSetAsync(string ns, V1ReplicaSet replicaSet, CancellationToken cancellationToken);

    /// <summary>Replaces a ReplicaSet (spec and metadata), optimistically by resourceVersion.</summary>
    Task<V1ReplicaSet> UpdateReplicaSetAsync(V1ReplicaSet replicaSet, CancellationToken cancellationToken);

    /// <summary>Replaces a ReplicaSet's status, optimistically by resourceVersion.</summary>
    Task<V1ReplicaSet> UpdateReplicaSetStatusAsync(V1ReplicaSet replicaSet, CancellationToken cancellationToken);

    /// <summary>Applies a strategic-merge patch to a ReplicaSet (adoption and release).</summary>
    Task<V1ReplicaSet> PatchReplicaSetAsync(string ns, string name, string patch, CancellationToken cancellationToken);

    /// <summary>Deletes a ReplicaSet (background propagation).</summary>
    Task DeleteReplicaSetAsync(string ns, string name, string? uid, CancellationToken cancellationToken);

    /// <summary>Reads a ReplicaSet straight from the API server.</summary>
    Task<V1ReplicaSet> GetReplicaSetAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary>Replaces a Deployment's status (and annotations, which the status subresource keeps), optimistically.</summary>
    Task<V1Deployment> UpdateDeploymentStatusAsync(V1Deployment deployment, CancellationToken cancellationToken);
}
