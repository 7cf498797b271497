using Cetus.Api.Validation;
using Cetus.Client;
using Cetus.Client.Events;
using Cetus.Client.Informers;
using Cetus.Client.WorkQueues;
using Cetus.Controllers.Common;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Controllers.Deployment;

/// <summary>
/// The Deployment controller (pkg/controller/deployment): one ReplicaSet per pod template (named and selected by its
/// pod-template-hash), rolled out by the RollingUpdate or Recreate strategy, scaled proportionally in mid-rollout,
/// paused and resumed, with revisions, history clean-up, progress deadlines and the Available and Progressing conditions.
/// Files by concern: Sync (scaling, the new ReplicaSet, clean-up), Rolling, Recreate, Progress (status and conditions).
/// </summary>
public sealed partial class DeploymentController
{
    /// <summary>The controller's name (also its event source).</summary>
    public const string Name = "deployment-controller";

    private const string ApiVersion = "apps/v1";
    private const string Kind = "Deployment";

    private readonly Indexer<V1Deployment> _deployments;
    private readonly Indexer<V1ReplicaSet> _replicaSets;
    private readonly Indexer<V1Pod> _pods;
    private readonly IControllerClient _client;
    private readonly IEventRecorder _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the controller over the shared caches.</summary>
    public DeploymentController(Indexer<V1Deployment> deployments, Indexer<V1ReplicaSet> replicaSets, Indexer<V1Pod> pods, IControllerClient client, IEventRecorder events, TimeProvider time, ILogger? logger = null)
    {
        _deployments = deployments;
        _replicaSets = replicaSets;
        _pods = pods;
        _client = client;
        _events = events;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        Queue = new RateLimitingQueue(time: time);
    }

    /// <summary>The work queue of Deployment keys.</summary>
    public RateLimitingQueue Queue { get; }

    /// <summary>Registers the event handlers on the shared informers.</summary>
    public void Register(SharedInformer<V1Deployment> deployments, SharedInformer<V1ReplicaSet> replicaSets, SharedInformer<V1Pod> pods)
    {
        ArgumentNullException.ThrowIfNull(deployments);
        ArgumentNullException.ThrowIfNull(replicaSets);
        ArgumentNullException.ThrowIfNull(pods);
        deployments.AddEventHandler(new ResourceEventHandler<V1Deployment>
        {
            OnAdd = d => Queue.Add(ObjectKeys.Of(d)),
            OnUpdate = (_, d) => Queue.Add(ObjectKeys.Of(d)),
            OnDelete = d => Queue.Add(ObjectKeys.Of(d.Object)),
        });
        replicaSets.AddEventHandler(new ResourceEventHandler<V1ReplicaSet>
        {
            OnAdd = ReplicaSetChanged,
            OnUpdate = (old, rs) =>
            {
                if (old.Metadata.ResourceVersion == rs.Metadata.ResourceVersion)
                {
                    return;
                }

                var oldOwner = OwnerReferences.ControllerOf(old.Metadata);
                if (oldOwner is not null && oldOwner.Uid != OwnerReferences.ControllerOf(rs.Metadata)?.Uid)
                {
                    ReplicaSetChanged(old);
                }

                ReplicaSetChanged(rs);
            },
            OnDelete = d =>
            {
                if (ResolveOwner(d.Object.Metadata) is { } owner)
                {
                    Queue.Add(ObjectKeys.Of(owner));
                }
            },
        });

        // Recreate waits for every old pod to be gone: a pod deletion may unblock it.
        pods.AddEventHandler(new ResourceEventHandler<V1Pod>
        {
            OnDelete = d =>
            {
                if (OwnerReferences.ControllerOf(d.Object.Metadata) is { Kind: "ReplicaSet" } rsRef
                    && _replicaSets.Get(d.Object.Metadata.NamespaceProperty, rsRef.Name) is { } rs
                    && ResolveOwner(rs.Metadata) is { } owner
                    && !DeploymentUtil.IsRollingUpdate(owner))
                {
                    Queue.Add(ObjectKeys.Of(owner));
                }
            },
        });
    }

    /// <summary>Runs the workers until cancelled.</summary>
    public Task RunAsync(int workers, CancellationToken cancellationToken) =>
        new QueueWorker(Name, Queue, SyncAsync, _logger).RunAsync(workers, cancellationToken);

    private void ReplicaSetChanged(V1ReplicaSet rs)
    {
        if (OwnerReferences.ControllerOf(rs.Metadata) is not null)
        {
            if (ResolveOwner(rs.Metadata) is { } owner)
            {
                Queue.Add(ObjectKeys.Of(owner));
            }

            return;
        }

        // An orphan: wake every Deployment that might adopt it.
        foreach (var d in _deployments.ByNamespace(rs.Metadata.NamespaceProperty ?? string.Empty))
        {
            if (!LabelSelectors.IsEmpty(d.Spec?.Selector) && LabelSelectors.Matches(d.Spec!.Selector, rs.Metadata.Labels))
            {
                Queue.Add(ObjectKeys.Of(d));
            }
        }
    }

    private V1Deployment? ResolveOwner(V1ObjectMeta metadata)
    {
        if (OwnerReferences.ControllerOf(metadata) is not { Kind: Kind } owner)
        {
            return null;
        }

        var d = _deployments.Get(metadata.NamespaceProperty, owner.Name);
        return d?.Metadata.Uid == owner.Uid ? d : null;
    }
}
