using Cetus.Client;
using Cetus.Client.Informers;
using Cetus.Client.WorkQueues;
using Cetus.Controllers.Common;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Controllers.ServiceAccount;

/// <summary>
/// The service-account controller (pkg/controller/serviceaccount/serviceaccounts_controller.go): every active namespace
/// has the service accounts it should (<c>default</c>); one that is deleted is made again. Namespaces being deleted are
/// left alone. Keys in its queue are namespace names.
/// </summary>
public sealed class ServiceAccountsController
{
    /// <summary>The controller's name.</summary>
    public const string Name = "serviceaccount-controller";

    /// <summary>The service account every namespace gets.</summary>
    public const string DefaultName = "default";

    private readonly Indexer<V1Namespace> _namespaces;
    private readonly Indexer<V1ServiceAccount> _accounts;
    private readonly IServiceAccountClient _client;
    private readonly ILogger _logger;

    /// <summary>Creates the controller over the shared caches.</summary>
    public ServiceAccountsController(Indexer<V1Namespace> namespaces, Indexer<V1ServiceAccount> accounts, IServiceAccountClient client, TimeProvider time, ILogger? logger = null)
    {
        _namespaces = namespaces;
        _accounts = accounts;
        _client = client;
        _logger = logger ?? NullLogger.Instance;
        Queue = new RateLimitingQueue(time: time);
    }

    /// <summary>The work queue of namespace names.</summary>
    public RateLimitingQueue Queue { get; }

    /// <summary>Registers the event handlers: a namespace added or changed, or a service account deleted, queues its namespace.</summary>
    public void Register(SharedInformer<V1Namespace> namespaces, SharedInformer<V1ServiceAccount> accounts)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        ArgumentNullException.ThrowIfNull(accounts);
        namespaces.AddEventHandler(new ResourceEventHandler<V1Namespace>
        {
            OnAdd = ns => Queue.Add(ns.Metadata.Name),
            OnUpdate = (_, ns) => Queue.Add(ns.Metadata.Name),
        });
        accounts.AddEventHandler(new ResourceEventHandler<V1ServiceAccount>
        {
            OnDelete = deleted => Queue.Add(deleted.Object.Metadata.NamespaceProperty ?? string.Empty),
        });
    }

    /// <summary>Runs the workers until cancelled.</summary>
    public Task RunAsync(int workers, CancellationToken cancellationToken) =>
        new QueueWorker(Name, Queue, SyncAsync, _logger).RunAsync(workers, cancellationToken);

    /// <summary>Creates the namespace's missing service accounts, unless the namespace is gone or going.</summary>
    public async Task SyncAsync(string ns, CancellationToken cancellationToken)
    {
        var namespaceObject = _namespaces.Get(null, ns);
        if (namespaceObject is null || namespaceObject.Status?.Phase == "Terminating" || namespaceObject.Metadata.DeletionTimestamp is not null)
        {
            return;
        }

        if (_accounts.Get(ns, DefaultName) is not null)
        {
            return;
        }

        try
        {
            await _client.CreateServiceAccountAsync(ns, new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = DefaultName } }, cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (ApiErrors.IsAlreadyExists(e))
        {
            // Someone made it first: that is all we wanted.
        }
        catch (k8s.Autorest.HttpOperationException e) when (ApiErrors.IsNamespaceTerminating(e))
        {
            // The namespace started terminating after the cache saw it: nothing to do.
        }
    }
}

/// <summary>The one write the service-account controller makes.</summary>
public interface IServiceAccountClient
{
    /// <summary>Creates a service account in <paramref name="ns"/>.</summary>
    Task CreateServiceAccountAsync(string ns, V1ServiceAccount account, CancellationToken cancellationToken);
}

/// <summary>The service-account controller's writes through the API server.</summary>
public sealed class KubernetesServiceAccountClient(IKubernetes client) : IServiceAccountClient
{
    /// <inheritdoc />
    public Task CreateServiceAccountAsync(string ns, V1ServiceAccount account, CancellationToken cancellationToken) =>
        client.CoreV1.CreateNamespacedServiceAccountAsync(account, ns, cancellationToken: cancellationToken);
}
