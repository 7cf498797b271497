using Cetus.Kubelet.Api;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Node;

/// <summary>
/// The node's heartbeat, as Kubernetes' kubelet: a Lease named after the node in kube-node-lease, held by the node,
/// 40 s long, owned by the Node (so it goes with it), renewed every 10 s (<see cref="RenewInterval"/>, a quarter of
/// the duration) by updating spec.renewTime. The node lifecycle controller reads it to tell a live node from a dead one.
/// </summary>
public sealed class NodeLease
{
    /// <summary>The namespace of node Leases.</summary>
    public const string Namespace = "kube-node-lease";

    /// <summary>leaseDurationSeconds (the kubelet's --node-lease-duration-seconds).</summary>
    public const int DurationSeconds = 40;

    /// <summary>How often the lease is renewed (NodeLeaseRenewIntervalFraction 0.25 of the duration).</summary>
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(10);

    private readonly IKubeletClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<string?> _nodeUid;
    private V1Lease? _latest;

    /// <summary>Creates the heartbeat of node <paramref name="nodeName"/>; <paramref name="nodeUid"/> gives the owner uid once registered.</summary>
    public NodeLease(string nodeName, Func<string?> nodeUid, IKubeletClient client, TimeProvider? time = null, ILogger? logger = null)
    {
        NodeName = nodeName ?? throw new ArgumentNullException(nameof(nodeName));
        _nodeUid = nodeUid ?? throw new ArgumentNullException(nameof(nodeUid));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The node (and Lease) name.</summary>
    public string NodeName { get; }

    /// <summary>When the lease was last renewed by this process.</summary>
    public DateTimeOffset? LastRenewed { get; private set; }

    /// <summary>
    /// Renews the lease: creates it the first time (one call; reads it only when it exists already, e.g. after a
    /// restart), then updates it from the last version written; on a conflict, re-reads it and tries once more.
    /// </summary>
    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var now = _time.GetUtcNow();
                if (_latest is null)
                {
                    try
                    {
                        _latest = await _client.CreateLeaseAsync(NewLease(now), cancellationToken).ConfigureAwait(false);
                        LastRenewed = now;
                        return;
                    }
                    catch (Exception e) when (ApiErrors.IsConflict(e))
                    {
                        _latest = await _client.GetLeaseAsync(Namespace, NodeName, cancellationToken).ConfigureAwait(false);
                        if (_latest is null)
                        {
                            continue;
                        }
                    }
                }

                var lease = NewLease(now);
                lease.Metadata.ResourceVersion = _latest.Metadata.ResourceVersion;
                lease.Metadata.Labels = _latest.Metadata.Labels;
                lease.Metadata.Annotations = _latest.Metadata.Annotations;
                lease.Metadata.OwnerReferences ??= _latest.Metadata.OwnerReferences;
                _latest = await _client.UpdateLeaseAsync(lease, cancellationToken).ConfigureAwait(false);
                LastRenewed = now;
                return;
            }
            catch (Exception e) when (attempt == 0 && (ApiErrors.IsConflict(e) || ApiErrors.IsNotFound(e)))
            {
                // Someone else wrote it, or it was deleted: start again from the server's state, once.
                _logger.LogDebug(e, "lease {Node} out of date", NodeName);
                _latest = await _client.GetLeaseAsync(Namespace, NodeName, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private V1Lease NewLease(DateTimeOffset now)
    {
        var uid = _nodeUid();
        return new V1Lease
        {
            ApiVersion = "coordination.k8s.io/v1",
            Kind = "Lease",
            Metadata = new V1ObjectMeta
            {
                Name = NodeName,
                NamespaceProperty = Namespace,
                OwnerReferences = uid is null ? null : [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = NodeName, Uid = uid }],
            },
            Spec = new V1LeaseSpec
            {
                HolderIdentity = NodeName,
                LeaseDurationSeconds = DurationSeconds,
                // MicroTime: microseconds, as the API server keeps them.
                RenewTime = new DateTime(now.UtcTicks - (now.UtcTicks % 10), DateTimeKind.Utc),
            },
        };
    }
}
