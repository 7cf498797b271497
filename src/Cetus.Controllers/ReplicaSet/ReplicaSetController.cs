using Cetus.Api.Validation;
using Cetus.Client;
using Cetus.Client.Events;
using Cetus.Client.Informers;
using Cetus.Client.WorkQueues;
using Cetus.Controllers.Common;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Controllers.ReplicaSet;

/// <summary>
/// The ReplicaSet controller (pkg/controller/replicaset): keeps the number of active pods a ReplicaSet controls equal
/// to its replicas, creating pods from its template in slow-start batches and deleting the least valuable first,
/// adopting orphans that match its selector and releasing pods that no longer do, and reporting status.
/// </summary>
public sealed partial class ReplicaSetController
{
    /// <summary>The controller's name (also its event source).</summary>
    public const string Name = "replicaset-controller";

    /// <summary>At most this many creations or deletions per sync (kube-controller-manager's burstReplicas).</summary>
    public const int BurstReplicas = 500;

    private const string ApiVersion = "apps/v1";
    private const string Kind = "ReplicaSet";

    private readonly Indexer<V1ReplicaSet> _replicaSets;
    private readonly Indexer<V1Pod> _pods;
    private readonly IControllerClient _client;
    private readonly IEventRecorder _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the controller over the shared caches.</summary>
    public ReplicaSetController(Indexer<V1ReplicaSet> replicaSets, Indexer<V1Pod> pods, IControllerClient client, IEventRecorder events, TimeProvider time, ILogger? logger = null)
    {
        _replicaSets = replicaSets;
        _pods = pods;
        _client = client;
        _events = events;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        Queue = new RateLimitingQueue(time: time);
        Expectations = new ControllerExpectations(time);
    }

    /// <summary>The work queue of ReplicaSet keys.</summary>
    public RateLimitingQueue Queue { get; }

    /// <summary>What the controller waits to see after its own writes.</summary>
    public ControllerExpectations Expectations { get; }

    /// <summary>Registers the event handlers on the shared informers.</summary>
    public void Register(SharedInformer<V1ReplicaSet> replicaSets, SharedInformer<V1Pod> pods)
    {
        ArgumentNullException.ThrowIfNull(replicaSets);
        ArgumentNullException.ThrowIfNull(pods);
        replicaSets.AddEventHandler(new ResourceEventHandler<V1ReplicaSet>
        {
            OnAdd = rs => Queue.Add(ObjectKeys.Of(rs)),
            OnUpdate = (_, rs) => Queue.Add(ObjectKeys.Of(rs)),
            OnDelete = deleted =>
            {
                var key = ObjectKeys.Of(deleted.Object);
                Expectations.Delete(key);
                Queue.Add(key);
            },
        });
        pods.AddEventHandler(new ResourceEventHandler<V1Pod> { OnAdd = AddPod, OnUpdate = UpdatePod, OnDelete = d => DeletePod(d.Object) });
    }

    /// <summary>Runs the workers until cancelled.</summary>
    public Task RunAsync(int workers, CancellationToken cancellationToken) =>
        new QueueWorker(Name, Queue, SyncAsync, _logger).RunAsync(workers, cancellationToken);

    private void AddPod(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // A restarted controller may see a pod already being deleted: count it as a deletion, not a creation.
            DeletePod(pod);
            return;
        }

        if (OwnerReferences.ControllerOf(pod.Metadata) is { } owner)
        {
            if (ResolveControllerRef(pod.Metadata.NamespaceProperty, owner) is { } rs)
            {
                var key = ObjectKeys.Of(rs);
                Expectations.CreationObserved(key);
                Queue.Add(key);
            }

            return;
        }

        // An orphan: wake every ReplicaSet that might adopt it.
        foreach (var rs in MatchingReplicaSets(pod))
        {
            Queue.Add(ObjectKeys.Of(rs));
        }
    }

    private void UpdatePod(V1Pod old, V1Pod pod)
    {
        if (old.Metadata.ResourceVersion == pod.Metadata.ResourceVersion)
        {
            return;
        }

        if (pod.Metadata.DeletionTimestamp is not null)
        {
            DeletePod(pod);
            return;
        }

        var oldOwner = OwnerReferences.ControllerOf(old.Metadata);
        var owner = OwnerReferences.ControllerOf(pod.Metadata);
        if (oldOwner is not null && oldOwner.Uid != owner?.Uid && ResolveControllerRef(old.Metadata.NamespaceProperty, oldOwner) is { } oldRs)
        {
            Queue.Add(ObjectKeys.Of(oldRs));
        }

        if (owner is not null)
        {
            if (ResolveControllerRef(pod.Metadata.NamespaceProperty, owner) is { } rs)
            {
                var key = ObjectKeys.Of(rs);
                Queue.Add(key);

                // A pod that just became ready becomes available minReadySeconds later: look again then.
                if (!PodConditions.IsReady(old) && PodConditions.IsReady(pod) && rs.Spec.MinReadySeconds is > 0 and var seconds)
                {
                    Queue.AddAfter(key, TimeSpan.FromSeconds(seconds + 1));
                }
            }

            return;
        }

        var labelsChanged = !LabelsEqual(old.Metadata.Labels, pod.Metadata.Labels);
        if (labelsChanged || oldOwner is not null)
        {
            foreach (var rs in MatchingReplicaSets(pod))
            {
                Queue.Add(ObjectKeys.Of(rs));
            }
        }
    }

    private void DeletePod(V1Pod pod)
    {
        if (OwnerReferences.ControllerOf(pod.Metadata) is { } owner && ResolveControllerRef(pod.Metadata.NamespaceProperty, owner) is { } rs)
        {
            var key = ObjectKeys.Of(rs);
            Expectations.DeletionObserved(key, ObjectKeys.Of(pod));
            Queue.Add(key);
        }
    }

    private V1ReplicaSet? ResolveControllerRef(string ns, V1OwnerReference owner)
    {
        if (owner.Kind != Kind)
        {
            return null;
        }

        var rs = _replicaSets.Get(ns, owner.Name);
        return rs?.Metadata.Uid == owner.Uid ? rs : null;
    }

    private IEnumerable<V1ReplicaSet> MatchingReplicaSets(V1Pod pod) =>
        _replicaSets.ByNamespace(pod.Metadata.NamespaceProperty ?? string.Empty)
            .Where(rs => !LabelSelectors.IsEmpty(rs.Spec?.Selector) && LabelSelectors.Matches(rs.Spec!.Selector, pod.Metadata.Labels));

    private static bool LabelsEqual(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, string>()).All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
