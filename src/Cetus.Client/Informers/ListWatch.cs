using System.Runtime.CompilerServices;
using Cetus.Client.Http;
using k8s;
using k8s.Models;

namespace Cetus.Client.Informers;

/// <summary>An <see cref="IListWatch{T}"/> made of a list call and a watch call.</summary>
/// <typeparam name="T">The object type.</typeparam>
/// <typeparam name="TList">Its list type.</typeparam>
public sealed class ListWatch<T, TList> : IListWatch<T>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
{
    private readonly Func<string?, CancellationToken, Task<TList>> _list;
    private readonly Func<string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> _watch;

    /// <summary>Wraps a list call (continue token → page) and a watch call (resourceVersion, timeout seconds, error callback).</summary>
    public ListWatch(Func<string?, CancellationToken, Task<TList>> list, Func<string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch)
    {
        _list = list ?? throw new ArgumentNullException(nameof(list));
        _watch = watch ?? throw new ArgumentNullException(nameof(watch));
    }

    /// <inheritdoc/>
    public async Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? next = null;
        string resourceVersion;
        do
        {
            var list = await _list(next, cancellationToken).ConfigureAwait(false);
            foreach (var item in list.Items ?? [])
            {
                // As the watch's objects (WatchStream): informers keep no managedFields.
                if (item is IMetadata<V1ObjectMeta> { Metadata: { } metadata })
                {
                    metadata.ManagedFields = null;
                }

                items.Add(item);
            }

            resourceVersion = list.Metadata?.ResourceVersion ?? "0";
            next = list.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));

        return (items, resourceVersion);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<(WatchEventType Type, T? Object)> WatchAsync(string resourceVersion, TimeSpan timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Exception? failure = null;
        await foreach (var (type, item) in _watch(resourceVersion, (int)timeout.TotalSeconds, e => failure ??= e, cancellationToken).ConfigureAwait(false))
        {
            if (failure is not null)
            {
                break;
            }

            yield return (type, item);
        }

        // The client reports ERROR events (a Status such as 410 Gone) and broken streams through the callback.
        if (failure is not null && !cancellationToken.IsCancellationRequested)
        {
            yield return (WatchEventType.Error, default);
        }
    }
}

/// <summary>The list-watches of the resource types controllers use, across all namespaces.</summary>
public static class ListWatches
{
    private const int PageSize = 500;

    /// <summary>Pods.</summary>
    public static IListWatch<V1Pod> Pods(IKubernetes client) => new ListWatch<V1Pod, V1PodList>(
        (c, ct) => client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: c, limit: PageSize, cancellationToken: ct),
        (rv, t, e, ct) => WatchStream.WatchAsync<V1Pod>(client, "/api/v1/pods", null, rv, t, e, ct));

    /// <summary>The pods bound to node <paramref name="nodeName"/> (fieldSelector spec.nodeName=NODE: what a kubelet watches, and all the node authorizer lets it).</summary>
    public static IListWatch<V1Pod> PodsOnNode(IKubernetes client, string nodeName)
    {
        var selector = "spec.nodeName=" + nodeName;
        return new ListWatch<V1Pod, V1PodList>(
            (c, ct) => client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: c, fieldSelector: selector, limit: PageSize, cancellationToken: ct),
            (rv, t, e, ct) => WatchStream.WatchAsync<V1Pod>(client, "/api/v1/pods", selector, rv, t, e, ct));
    }

    /// <summary>ReplicaSets.</summary>
    public static IListWatch<V1ReplicaSet> ReplicaSets(IKubernetes client) => new ListWatch<V1ReplicaSet, V1ReplicaSetList>(
        (c, ct) => client.AppsV1.ListReplicaSetForAllNamespacesAsync(continueParameter: c, limit: PageSize, cancellationToken: ct),
        (rv, t, e, ct) => WatchStream.WatchAsync<V1ReplicaSet>(client, "/apis/apps/v1/replicasets", null, rv, t, e, ct));

    /// <summary>PodDisruptionBudgets.</summary>
    public static IListWatch<V1PodDisruptionBudget> PodDisruptionBudgets(IKubernetes client) => new ListWatch<V1PodDisruptionBudget, V1PodDisruptionBudgetList>(
        (c, ct) => client.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(continueParameter: c, limit: PageSize, cancellationToken: ct),
        (rv, t, e, ct) => WatchStream.WatchAsync<V1PodDisruptionBudget>(client, "/apis/policy/v1/poddisruptionbudgets", null, rv, t, e, ct));

    /// <summary>Deployments.</summary>
    public static IListWatch<V1Deployment> Deployments(IKubernetes client) => new ListWatch<V1Deployment, V1DeploymentList>(
        (c, ct) => client.AppsV1.ListDeploymentForAllNamespacesAsync(continueParameter: c, limit: PageSize, cancellationToken: ct),
        (rv, t, e, ct) => WatchStream.WatchAsync<V1Deployment>(client, "/apis/apps/v1/deployments", null, rv, t, e, ct));

    /// <summary>Nodes.</summary>
    public static IListWatch<V1Node> Nodes(IKubernetes client) => new ListWatch<V1Node, V1NodeList>(
        (c, ct) => client.CoreV1.ListNodeAsync(continueParameter: c, limit: PageSize, cancellationToken: ct),
        (rv, t, e, ct) => WatchStream.WatchAsync<V1Node>(client, "/api/v1/nodes", null, rv, t, e, ct));

    /// <summary>Namespaces.</summary>
    public static IListWatch<V1Namespace> Namespaces(IKubernetes client) => new ListWatch<V1Namespace, V1NamespaceList>(
        (c, ct) => client.CoreV1.ListNamespaceAsync(continueParameter: c, limit: PageSize, cancellationToken: ct),
        (rv, t, e, ct) => WatchStream.WatchAsync<V1Namespace>(client, "/api/v1/namespaces", null, rv, t, e, ct));

    /// <summary>Services.</summary>
    public static IListWatch<V1Service> Services(IKubernetes client) => new ListWatch<V1Service, V1ServiceList>(
        (c, ct) => client.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: c, limit: PageSize, cancellationToken: ct),
        (rv, t, e, ct) => WatchStream.WatchAsync<V1Service>(client, "/api/v1/services", null, rv, t, e, ct));

    /// <summary>ConfigMaps.</summary>
    public static IListWatch<V1ConfigMap> ConfigMaps(IKubernetes client) => new ListWatch<V1ConfigMap, V1ConfigMapList>(
        (c, ct) => client.CoreV1.ListConfigMapForAllNamespacesAsync(continueParameter: c, limit: PageSize, cancellationToken: ct),
        (rv, t, e, ct) => WatchStream.WatchAsync<V1ConfigMap>(client, "/api/v1/configmaps", null, rv, t, e, ct));

    /// <summary>
    /// One config map: list and watch in <paramref name="ns"/> with fieldSelector metadata.name=NAME (what the kubelet
    /// watches per referenced object; the node authorizer allows it as a read of that object).
    /// </summary>
    public static IListWatch<V1ConfigMap> ConfigMap(IKubernetes client, string ns, string name)
    {
        var selector = "metadata.name=" + name;
        return new ListWatch<V1ConfigMap, V1ConfigMapList>(
            (c, ct) => client.CoreV1.ListNamespacedConfigMapAsync(ns, continueParameter: c, fieldSelector: selector, cancellationToken: ct),
            (rv, t, e, ct) => WatchStream.WatchAsync<V1ConfigMap>(client, $"/api/v1/namespaces/{ns}/configmaps", selector, rv, t, e, ct));
    }

    /// <summary>One secret: list and watch in <paramref name="ns"/> with fieldSelector metadata.name=NAME (as <see cref="ConfigMap"/>).</summary>
    public static IListWatch<V1Secret> Secret(IKubernetes client, string ns, string name)
    {
        var selector = "metadata.name=" + name;
        return new ListWatch<V1Secret, V1SecretList>(
            (c, ct) => client.CoreV1.ListNamespacedSecretAsync(ns, continueParameter: c, fieldSelector: selector, cancellationToken: ct),
            (rv, t, e, ct) => WatchStream.WatchAsync<V1Secret>(client, $"/api/v1/namespaces/{ns}/secrets", selector, rv, t, e, ct));
    }

    /// <summary>ServiceAccounts.</summary>
    public static IListWatch<V1ServiceAccount> ServiceAccounts(IKubernetes client) => new ListWatch<V1ServiceAccount, V1ServiceAccountList>(
        (c, ct) => client.CoreV1.ListServiceAccountForAllNamespacesAsync(continueParameter: c, limit: PageSize, cancellationToken: ct),
        (rv, t, e, ct) => WatchStream.WatchAsync<V1ServiceAccount>(client, "/api/v1/serviceaccounts", null, rv, t, e, ct));

    /// <summary>CertificateSigningRequests.</summary>
    public static IListWatch<V1CertificateSigningRequest> CertificateSigningRequests(IKubernetes client) => new ListWatch<V1CertificateSigningRequest, V1CertificateSigningRequestList>(
        (c, ct) => client.CertificatesV1.ListCertificateSigningRequestAsync(continueParameter: c, limit: PageSize, cancellationToken: ct),
        (rv, t, e, ct) => WatchStream.WatchAsync<V1CertificateSigningRequest>(client, "/apis/certificates.k8s.io/v1/certificatesigningrequests", null, rv, t, e, ct));
}
