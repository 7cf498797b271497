using k8s.Models;

namespace Cetus.Kubelet.Api;

/// <summary>
/// Every write and read the kubelet makes through the API server. Failures are
/// <see cref="k8s.Autorest.HttpOperationException"/>s carrying the HTTP status; tests use a fake that records calls.
/// Its config map and secret reads (<see cref="IPodObjectReader"/>) are GETs; a real node reads them from watches instead
/// (<see cref="Objects.PodObjectWatches"/>).
/// </summary>
public interface IKubeletClient : IPodObjectReader
{
    /// <summary>The node, or null when it does not exist.</summary>
    Task<V1Node?> GetNodeAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates the node (409 when it exists).</summary>
    Task<V1Node> CreateNodeAsync(V1Node node, CancellationToken cancellationToken);

    /// <summary>Applies a strategic-merge patch to the node (labels, taints on re-registration).</summary>
    Task<V1Node> PatchNodeAsync(string name, string patch, CancellationToken cancellationToken);

    /// <summary>Applies a strategic-merge patch to the node's status subresource.</summary>
    Task<V1Node> PatchNodeStatusAsync(string name, string patch, CancellationToken cancellationToken);

    /// <summary>The lease, or null when it does not exist.</summary>
    Task<V1Lease?> GetLeaseAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary>Creates a lease (409 when it exists).</summary>
    Task<V1Lease> CreateLeaseAsync(V1Lease lease, CancellationToken cancellationToken);

    /// <summary>Replaces a lease, optimistically by resourceVersion (409 on conflict).</summary>
    Task<V1Lease> UpdateLeaseAsync(V1Lease lease, CancellationToken cancellationToken);

    /// <summary>Applies a strategic-merge patch to a pod's status subresource.</summary>
    Task<V1Pod> PatchPodStatusAsync(string ns, string name, string patch, CancellationToken cancellationToken);

    /// <summary>Deletes a pod at once (grace period 0), only while it still has uid <paramref name="uid"/>.</summary>
    Task DeletePodAsync(string ns, string name, string uid, CancellationToken cancellationToken);

    /// <summary>
    /// A token for service account <paramref name="serviceAccount"/> (the TokenRequest API) for
    /// <paramref name="audiences"/> (the API server's when empty), valid <paramref name="expirationSeconds"/>,
    /// bound to the pod <paramref name="podName"/> with uid <paramref name="podUid"/> (projected token volumes).
    /// </summary>
    Task<Authenticationv1TokenRequest> CreateServiceAccountTokenAsync(string ns, string serviceAccount, IReadOnlyList<string> audiences, long expirationSeconds, string podName, string podUid, CancellationToken cancellationToken);
}

/// <summary>Reads the config maps and secrets of pods' env and volumes.</summary>
public interface IPodObjectReader
{
    /// <summary>The config map, or null when it does not exist (env and volumes of pods).</summary>
    Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary>The secret, or null when it does not exist (env and volumes of pods).</summary>
    Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken);
}
