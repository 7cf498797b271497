using k8s;
using k8s.Models;

namespace Cetus.Controllers.Namespace;

/// <summary>The namespace calls the namespace controller makes besides the dynamic ones; tests use a fake.</summary>
public interface INamespaceClient
{
    /// <summary>Reads a namespace from the API server; null when it is gone.</summary>
    Task<V1Namespace?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Replaces a namespace's status (phase and conditions).</summary>
    Task<V1Namespace> UpdateStatusAsync(V1Namespace ns, CancellationToken cancellationToken);

    /// <summary>PUT namespaces/{name}/finalize: replaces spec.finalizers.</summary>
    Task<V1Namespace> FinalizeAsync(V1Namespace ns, CancellationToken cancellationToken);

    /// <summary>The pods of a namespace (for the graceful-termination estimate).</summary>
    Task<IList<V1Pod>> ListPodsAsync(string ns, CancellationToken cancellationToken);
}

/// <summary>The <see cref="INamespaceClient"/> over the KubernetesClient package.</summary>
public sealed class KubernetesNamespaceClient(IKubernetes client) : INamespaceClient
{
    /// <inheritdoc/>
    public async Task<V1Namespace?> GetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespaceAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Common.ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public Task<V1Namespace> UpdateStatusAsync(V1Namespace ns, CancellationToken cancellationToken) =>
        client.CoreV1.ReplaceNamespaceStatusAsync(ns, ns.Metadata.Name, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<V1Namespace> FinalizeAsync(V1Namespace ns, CancellationToken cancellationToken) =>
        client.CoreV1.ReplaceNamespaceFinalizeAsync(ns, ns.Metadata.Name, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public async Task<IList<V1Pod>> ListPodsAsync(string ns, CancellationToken cancellationToken) =>
        (await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: cancellationToken).ConfigureAwait(false)).Items;
}
