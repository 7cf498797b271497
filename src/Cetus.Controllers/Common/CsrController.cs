using Cetus.Client.Informers;
using Cetus.Client.WorkQueues;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Controllers.Common;

/// <summary>
/// What the certificate controllers (csrapproving, csrsigning, csrcleaner) share: the CSR cache, a queue of CSR names
/// fed by every add and update, and the worker loop; each says what one sync does.
/// </summary>
public abstract class CsrController
{
    private readonly string _name;

    /// <summary>Creates the controller named <paramref name="name"/> over the shared CSR cache.</summary>
    protected CsrController(string name, Indexer<V1CertificateSigningRequest> requests, ICertificateClient client, TimeProvider time, ILogger? logger)
    {
        _name = name;
        Requests = requests;
        Client = client;
        Logger = logger ?? NullLogger.Instance;
        Queue = new RateLimitingQueue(time: time);
    }

    /// <summary>The work queue of CSR names.</summary>
    public RateLimitingQueue Queue { get; }

    /// <summary>The CSR cache.</summary>
    protected Indexer<V1CertificateSigningRequest> Requests { get; }

    /// <summary>The API calls.</summary>
    protected ICertificateClient Client { get; }

    /// <summary>Where the controller logs.</summary>
    protected ILogger Logger { get; }

    /// <summary>Queues every CSR added or changed.</summary>
    public void Register(SharedInformer<V1CertificateSigningRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        requests.AddEventHandler(new ResourceEventHandler<V1CertificateSigningRequest>
        {
            OnAdd = csr => Queue.Add(csr.Metadata.Name),
            OnUpdate = (_, csr) => Queue.Add(csr.Metadata.Name),
        });
    }

    /// <summary>Runs the workers until cancelled.</summary>
    public Task RunAsync(int workers, CancellationToken cancellationToken) =>
        new QueueWorker(_name, Queue, SyncAsync, Logger).RunAsync(workers, cancellationToken);

    /// <summary>Syncs the CSR named <paramref name="name"/> (throws to be retried).</summary>
    public abstract Task SyncAsync(string name, CancellationToken cancellationToken);
}
