using Cetus.Client;
using Cetus.Client.Informers;
using Cetus.Client.WorkQueues;
using Cetus.Controllers.Common;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Controllers.RootCaCertPublisher;

/// <summary>
/// The root CA certificate publisher (pkg/controller/certificates/rootcacertpublisher): every namespace has the
/// ConfigMap <c>kube-root-ca.crt</c> whose <c>ca.crt</c> is the cluster CA bundle, so that pods (through the
/// kube-api-access projected volume) can verify the API server. It is made again when deleted and put back when
/// changed. Keys in its queue are namespace names.
/// </summary>
public sealed class RootCaCertPublisher
{
    /// <summary>The controller's name (kube-controller-manager's root-ca-certificate-publisher-controller).</summary>
    public const string Name = "root-ca-certificate-publisher-controller";

    /// <summary>The ConfigMap's name.</summary>
    public const string ConfigMapName = "kube-root-ca.crt";

    /// <summary>The key of the CA bundle in it.</summary>
    public const string CaKey = "ca.crt";

    /// <summary>The annotation that says what the ConfigMap is for.</summary>
    public const string DescriptionAnnotation = "kubernetes.io/description";

    /// <summary>Upstream's description, word for word.</summary>
    public const string Description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. "
        + "No other usage is guaranteed across distributions of Kubernetes clusters.";

    private readonly Indexer<V1ConfigMap> _configMaps;
    private readonly IConfigMapClient _client;
    private readonly string _rootCa;
    private readonly ILogger _logger;

    /// <summary>Creates the publisher of <paramref name="rootCa"/> (PEM) over the shared ConfigMap cache.</summary>
    public RootCaCertPublisher(Indexer<V1ConfigMap> configMaps, IConfigMapClient client, string rootCa, TimeProvider time, ILogger? logger = null)
    {
        _configMaps = configMaps;
        _client = client;
        _rootCa = rootCa;
        _logger = logger ?? NullLogger.Instance;
        Queue = new RateLimitingQueue(time: time);
    }

    /// <summary>The work queue of namespace names.</summary>
    public RateLimitingQueue Queue { get; }

    /// <summary>
    /// Registers the event handlers: a namespace added, or changed while active, and the ConfigMap changed or deleted
    /// queue the namespace.
    /// </summary>
    public void Register(SharedInformer<V1Namespace> namespaces, SharedInformer<V1ConfigMap> configMaps)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        ArgumentNullException.ThrowIfNull(configMaps);
        namespaces.AddEventHandler(new ResourceEventHandler<V1Namespace>
        {
            OnAdd = ns => Queue.Add(ns.Metadata.Name),
            OnUpdate = (_, ns) =>
            {
                if (ns.Status?.Phase is null or "Active")
                {
                    Queue.Add(ns.Metadata.Name);
                }
            },
        });
        configMaps.AddEventHandler(new ResourceEventHandler<V1ConfigMap>
        {
            OnUpdate = (_, cm) => Enqueue(cm),
            OnDelete = deleted => Enqueue(deleted.Object),
        });
    }

    /// <summary>Runs the workers until cancelled.</summary>
    public Task RunAsync(int workers, CancellationToken cancellationToken) =>
        new QueueWorker(Name, Queue, SyncAsync, _logger).RunAsync(workers, cancellationToken);

    /// <summary>Creates the namespace's ConfigMap when missing, or puts its data and description back when they differ.</summary>
    public async Task SyncAsync(string ns, CancellationToken cancellationToken)
    {
        var existing = _configMaps.Get(ns, ConfigMapName);
        if (existing is null)
        {
            try
            {
                await _client.CreateConfigMapAsync(ns, new V1ConfigMap
                {
                    Metadata = new V1ObjectMeta { Name = ConfigMapName, Annotations = new Dictionary<string, string> { [DescriptionAnnotation] = Description } },
                    Data = new Dictionary<string, string> { [CaKey] = _rootCa },
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (k8s.Autorest.HttpOperationException e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsNamespaceTerminating(e))
            {
                // The namespace is gone or going: nothing to publish into.
            }

            return;
        }

        if (existing.Data is { Count: 1 } data && data.TryGetValue(CaKey, out var ca) && ca == _rootCa
            && existing.Metadata.Annotations?.TryGetValue(DescriptionAnnotation, out var description) == true && description.Length > 0)
        {
            return;
        }

        var fixedUp = Objects.Clone(existing);
        fixedUp.Data = new Dictionary<string, string> { [CaKey] = _rootCa };
        (fixedUp.Metadata.Annotations ??= new Dictionary<string, string>())[DescriptionAnnotation] = Description;
        await _client.ReplaceConfigMapAsync(ns, fixedUp, cancellationToken).ConfigureAwait(false);
    }

    private void Enqueue(V1ConfigMap configMap)
    {
        if (configMap.Metadata.Name == ConfigMapName && !string.IsNullOrEmpty(configMap.Metadata.NamespaceProperty))
        {
            Queue.Add(configMap.Metadata.NamespaceProperty);
        }
    }
}

/// <summary>The writes the root CA publisher makes.</summary>
public interface IConfigMapClient
{
    /// <summary>Creates a ConfigMap in <paramref name="ns"/>.</summary>
    Task CreateConfigMapAsync(string ns, V1ConfigMap configMap, CancellationToken cancellationToken);

    /// <summary>Replaces a ConfigMap (an update conditional on its resourceVersion).</summary>
    Task ReplaceConfigMapAsync(string ns, V1ConfigMap configMap, CancellationToken cancellationToken);
}

/// <summary>The root CA publisher's writes through the API server.</summary>
public sealed class KubernetesConfigMapClient(IKubernetes client) : IConfigMapClient
{
    /// <inheritdoc />
    public Task CreateConfigMapAsync(string ns, V1ConfigMap configMap, CancellationToken cancellationToken) =>
        client.CoreV1.CreateNamespacedConfigMapAsync(configMap, ns, cancellationToken: cancellationToken);

    /// <inheritdoc />
    public Task ReplaceConfigMapAsync(string ns, V1ConfigMap configMap, CancellationToken cancellationToken) =>
        client.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, configMap.Metadata.Name, ns, cancellationToken: cancellationToken);
}
