using Cetus.Scheduler.Framework;

namespace Cetus.Scheduler;

/// <summary>
/// Why no node fits a pod (upstream framework.FitError), with Kubernetes' message:
/// <c>0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {dedicated: gpu}.</c>
/// </summary>
internal sealed class FitError
{
    /// <summary>Upstream ErrNoNodesAvailable.</summary>
    public const string NoNodesAvailable = "no nodes available to schedule pods";

    public required int NumAllNodes { get; init; }

    /// <summary>Each rejected node's status.</summary>
    public Dictionary<string, Status> NodeToStatus { get; } = new(StringComparer.Ordinal);

    /// <summary>The status of nodes absent from <see cref="NodeToStatus"/> (those a PreFilter excluded).</summary>
    public Status? AbsentNodesStatus { get; set; }

    /// <summary>Set when a PreFilter rejected the pod for every node.</summary>
    public string PreFilterMessage { get; set; } = string.Empty;

    /// <summary>
    /// What PostFilter (preemption) says about the pod's nomination (upstream NominatingInfo): a node name nominates
    /// it there, "" clears its nomination (no candidate), null leaves it as it is.
    /// </summary>
    public string? NominatedNode { get; set; }

    /// <summary>What PostFilter (preemption) said.</summary>
    public string PostFilterMessage { get; set; } = string.Empty;

    /// <summary>The plugins that rejected the pod: events they registered move it back to the queue.</summary>
    public HashSet<string> UnschedulablePlugins { get; } = new(StringComparer.Ordinal);

    public string Message
    {
        get
        {
            var message = $"0/{NumAllNodes} nodes are available:";
            if (PreFilterMessage.Length > 0)
            {
                message += $" {PreFilterMessage}.";
            }
            else
            {
                var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var status in NodeToStatus.Values)
                {
                    foreach (var reason in status.Reasons)
                    {
                        reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                    }
                }

                if (NodeToStatus.Count < NumAllNodes && AbsentNodesStatus is not null)
                {
                    foreach (var reason in AbsentNodesStatus.Reasons)
                    {
                        reasons[reason] = reasons.GetValueOrDefault(reason) + NumAllNodes - NodeToStatus.Count;
                    }
                }

                var histogram = reasons.Select(kv => $"{kv.Value} {kv.Key}").Order(StringComparer.Ordinal).ToList();
                if (histogram.Count > 0)
                {
                    message += $" {string.Join(", ", histogram)}.";
                }
            }

            if (PostFilterMessage.Length > 0)
            {
                message += $" {PostFilterMessage}.";
            }

            return message;
        }
    }
}
