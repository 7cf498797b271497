using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cetus.Kubelet.Api;

/// <summary><see cref="IKubeletClient"/> over the KubernetesClient package (HTTPS to the API server).</summary>
public sealed class KubernetesKubeletClient(IKubernetes client) : IKubeletClient
{
    /// <inheritdoc/>
    public async Task<V1Node?> GetNodeAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNodeAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public Task<V1Node> CreateNodeAsync(V1Node node, CancellationToken cancellationToken) =>
        client.CoreV1.CreateNodeAsync(node, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<V1Node> PatchNodeAsync(string name, string patch, CancellationToken cancellationToken) =>
        client.CoreV1.PatchNodeAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), name, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<V1Node> PatchNodeStatusAsync(string name, string patch, CancellationToken cancellationToken) =>
        client.CoreV1.PatchNodeStatusAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), name, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public async Task<V1Lease?> GetLeaseAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public Task<V1Lease> CreateLeaseAsync(V1Lease lease, CancellationToken cancellationToken) =>
        client.CoordinationV1.CreateNamespacedLeaseAsync(lease, lease.Metadata.NamespaceProperty, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<V1Lease> UpdateLeaseAsync(V1Lease lease, CancellationToken cancellationToken) =>
        client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, lease.Metadata.Name, lease.Metadata.NamespaceProperty, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<V1Pod> PatchPodStatusAsync(string ns, string name, string patch, CancellationToken cancellationToken) =>
        client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), name, ns, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public async Task DeletePodAsync(string ns, string name, string uid, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(name, ns, new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = uid } }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Gone already, or a new pod of the same name (the uid precondition failed): nothing of ours to delete.
        }
    }

    /// <inheritdoc/>
    public async Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public Task<Authenticationv1TokenRequest> CreateServiceAccountTokenAsync(string ns, string serviceAccount, IReadOnlyList<string> audiences, long expirationSeconds, string podName, string podUid, CancellationToken cancellationToken) =>
        client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest
            {
                ApiVersion = "authentication.k8s.io/v1",
                Kind = "TokenRequest",
                Spec = new V1TokenRequestSpec
                {
                    Audiences = [.. audiences],
                    ExpirationSeconds = expirationSeconds,
                    BoundObjectRef = new V1BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = podName, Uid = podUid },
                },
            },
            serviceAccount,
            ns,
            cancellationToken: cancellationToken);
}
