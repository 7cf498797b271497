using Cetus.Api.Validation;
using Cetus.Client;
using Cetus.Client.Dynamic;
using Cetus.Client.Informers;
using Cetus.Client.WorkQueues;
using Cetus.Controllers.Common;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Controllers.Namespace;

/// <summary>
/// The namespace controller (pkg/controller/namespace): for a namespace being deleted, deletes every namespaced
/// resource in it (found through discovery), waits until all of it is gone (pods' graceful termination too),
/// reports the deletion conditions, then removes the <c>kubernetes</c> finalizer through namespaces/{name}/finalize
/// so that the API server removes the namespace.
/// </summary>
public sealed partial class NamespaceController
{
    /// <summary>The controller's name.</summary>
    public const string Name = "namespace-controller";

    /// <summary>
    /// Namespace events are acted on this much later, so that other API servers' caches see the deletion and
    /// last-moment creations in the namespace land before its content is listed (upstream's namespaceDeletionGracePeriod).
    /// </summary>
    public static readonly TimeSpan DeletionGracePeriod = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for content whose finalizers keep it (upstream's finalizerEstimateSeconds).</summary>
    public const long FinalizerEstimateSeconds = 15;

    private readonly Indexer<V1Namespace> _namespaces;
    private readonly INamespaceClient _client;
    private readonly IDynamicClient _dynamic;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the controller over the namespace cache.</summary>
    public NamespaceController(Indexer<V1Namespace> namespaces, INamespaceClient client, IDynamicClient dynamic, TimeProvider time, ILogger? logger = null)
    {
        _namespaces = namespaces ?? throw new ArgumentNullException(nameof(namespaces));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _dynamic = dynamic ?? throw new ArgumentNullException(nameof(dynamic));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? NullLogger.Instance;
        // Upstream's namespace queue: per-item backoff 5 ms doubling to 60 s, retried for as long as deletion fails.
        Queue = new RateLimitingQueue(new ItemExponentialRateLimiter(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(60)), time);
    }

    /// <summary>The work queue of namespace names.</summary>
    public RateLimitingQueue Queue { get; }

    /// <summary>Registers the event handlers on the namespace informer.</summary>
    public void Register(SharedInformer<V1Namespace> namespaces)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        namespaces.AddEventHandler(new ResourceEventHandler<V1Namespace>
        {
            OnAdd = Enqueue,
            OnUpdate = (_, ns) => Enqueue(ns),
        });
    }

    /// <summary>Runs the workers until cancelled.</summary>
    public Task RunAsync(int workers, CancellationToken cancellationToken) =>
        new QueueWorker(Name, Queue, SyncAsync, _logger, maxRetries: null).RunAsync(workers, cancellationToken);

    /// <summary>
    /// One pass over a namespace: when it is being deleted and still has the kubernetes finalizer, delete its
    /// content; requeue after an estimate while content remains; finalize once it is empty.
    /// </summary>
    public async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        if (_namespaces.Get(key) is not { Metadata.DeletionTimestamp: not null })
        {
            return;
        }

        // The cache may lag: decide on the namespace as the API server has it now.
        var ns = await _client.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (ns?.Metadata.DeletionTimestamp is null)
        {
            return;
        }

        if (ns.Status?.Phase != "Terminating")
        {
            var terminating = Objects.Clone(ns);
            terminating.Status ??= new V1NamespaceStatus();
            terminating.Status.Phase = "Terminating";
            ns = await _client.UpdateStatusAsync(terminating, cancellationToken).ConfigureAwait(false);
        }

        if (ns.Spec?.Finalizers?.Contains(FinalizerValidation.Kubernetes) != true)
        {
            return;
        }

        var estimate = await DeleteAllContentAsync(ns, cancellationToken).ConfigureAwait(false);
        if (estimate > 0)
        {
            // Content remains (graceful termination, finalizers): look again in about half the estimate.
            _logger.LogInformation("{Controller}: content remains in namespace {Namespace}; checking again in {Seconds} s", Name, key, (estimate / 2) + 1);
            Queue.AddAfter(key, TimeSpan.FromSeconds((estimate / 2) + 1));
            return;
        }

        await FinalizeAsync(ns, cancellationToken).ConfigureAwait(false);
    }

    private void Enqueue(V1Namespace ns)
    {
        if (ns.Metadata?.DeletionTimestamp is not null)
        {
            Queue.AddAfter(ns.Metadata.Name, DeletionGracePeriod);
        }
    }

    private async Task FinalizeAsync(V1Namespace ns, CancellationToken cancellationToken)
    {
        var finalized = Objects.Clone(ns);
        finalized.Spec.Finalizers = [.. finalized.Spec.Finalizers.Where(f => f != FinalizerValidation.Kubernetes)];
        try
        {
            await _client.FinalizeAsync(finalized, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("{Controller}: namespace {Namespace} is empty; removed the kubernetes finalizer", Name, ns.Metadata.Name);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }
}
