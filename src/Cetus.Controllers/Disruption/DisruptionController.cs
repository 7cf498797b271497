using Cetus.Api.Validation;
using Cetus.Client;
using Cetus.Client.Events;
using Cetus.Client.Informers;
using Cetus.Client.WorkQueues;
using Cetus.Controllers.Common;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Controllers.Disruption;

/// <summary>
/// The disruption controller (pkg/controller/disruption): keeps each PodDisruptionBudget's status — how many of the
/// pods it selects are expected, healthy and desired healthy, how many may be disrupted now, and the pods an
/// eviction has just disrupted — so that the eviction subresource and the scheduler's preemption can honour it.
/// Keys in its queue are PDB keys (namespace/name).
/// </summary>
public sealed partial class DisruptionController
{
    /// <summary>The controller's name (kube-controller-manager's disruption controller).</summary>
    public const string Name = "disruption-controller";

    /// <summary>How long a pod an eviction has disrupted is counted as going before it is expected to be gone (upstream's DeletionTimeout).</summary>
    public static readonly TimeSpan DeletionTimeout = TimeSpan.FromMinutes(2);

    private readonly Indexer<V1PodDisruptionBudget> _pdbs;
    private readonly Indexer<V1Pod> _pods;
    private readonly Indexer<V1ReplicaSet> _replicaSets;
    private readonly Indexer<V1Deployment> _deployments;
    private readonly IDisruptionClient _client;
    private readonly IEventRecorder _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the controller over the shared caches it reads.</summary>
    public DisruptionController(
        Indexer<V1PodDisruptionBudget> pdbs,
        Indexer<V1Pod> pods,
        Indexer<V1ReplicaSet> replicaSets,
        Indexer<V1Deployment> deployments,
        IDisruptionClient client,
        IEventRecorder events,
        TimeProvider time,
        ILogger? logger = null)
    {
        _pdbs = pdbs;
        _pods = pods;
        _replicaSets = replicaSets;
        _deployments = deployments;
        _client = client;
        _events = events;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        Queue = new RateLimitingQueue(time: time);
    }

    /// <summary>The work queue of PDB keys.</summary>
    public RateLimitingQueue Queue { get; }

    /// <summary>
    /// Registers the event handlers: a PDB added, changed or deleted queues it; a pod added, changed or deleted queues
    /// the PDB that selects it.
    /// </summary>
    public void Register(SharedInformer<V1PodDisruptionBudget> pdbs, SharedInformer<V1Pod> pods)
    {
        ArgumentNullException.ThrowIfNull(pdbs);
        ArgumentNullException.ThrowIfNull(pods);
        pdbs.AddEventHandler(new ResourceEventHandler<V1PodDisruptionBudget>
        {
            OnAdd = pdb => Queue.Add(ObjectKeys.Of(pdb)),
            OnUpdate = (_, pdb) => Queue.Add(ObjectKeys.Of(pdb)),
            OnDelete = deleted => Queue.Add(ObjectKeys.Of(deleted.Object)),
        });
        pods.AddEventHandler(new ResourceEventHandler<V1Pod>
        {
            OnAdd = EnqueueFor,
            OnUpdate = (_, pod) => EnqueueFor(pod),
            OnDelete = deleted => EnqueueFor(deleted.Object),
        });
    }

    /// <summary>Runs the workers until cancelled.</summary>
    public Task RunAsync(int workers, CancellationToken cancellationToken) =>
        new QueueWorker(Name, Queue, SyncAsync, _logger).RunAsync(workers, cancellationToken);

    /// <summary>The PDBs of a pod's namespace whose selector matches it (upstream's getPdbForPod, before it picks one).</summary>
    public static IReadOnlyList<V1PodDisruptionBudget> SelectingPod(IEnumerable<V1PodDisruptionBudget> pdbsInNamespace, V1Pod pod) =>
        pdbsInNamespace.Where(pdb => LabelSelectors.IsWellFormed(pdb.Spec?.Selector) && LabelSelectors.Matches(pdb.Spec?.Selector, pod.Metadata?.Labels)).ToList();

    // A pod's changes matter to the PDB that selects it; with several, upstream warns on the pod and takes the first.
    private void EnqueueFor(V1Pod pod)
    {
        var selecting = SelectingPod(_pdbs.ByNamespace(pod.Metadata?.NamespaceProperty ?? string.Empty), pod)
            .OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        if (selecting.Count == 0)
        {
            return;
        }

        if (selecting.Count > 1)
        {
            _events.Event(pod, "Warning", "MultiplePodDisruptionBudgets", $"Pod \"{pod.Metadata!.NamespaceProperty}\"/\"{pod.Metadata.Name}\" matches multiple PodDisruptionBudgets.  Chose \"{selecting[0].Metadata.Name}\" arbitrarily.");
        }

        Queue.Add(ObjectKeys.Of(selecting[0]));
    }
}

/// <summary>The writes the disruption controller makes.</summary>
public interface IDisruptionClient
{
    /// <summary>Replaces a PDB's status (conditional on its resourceVersion: a stale one is a 409).</summary>
    Task UpdateStatusAsync(V1PodDisruptionBudget pdb, CancellationToken cancellationToken);
}

/// <summary>The disruption controller's writes through the API server.</summary>
public sealed class KubernetesDisruptionClient(IKubernetes client) : IDisruptionClient
{
    /// <inheritdoc />
    public Task UpdateStatusAsync(V1PodDisruptionBudget pdb, CancellationToken cancellationToken) =>
        client.PolicyV1.ReplaceNamespacedPodDisruptionBudgetStatusAsync(pdb, pdb.Metadata.Name, pdb.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
}
