using System.Globalization;
using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Pods;

/// <summary>
/// Pods: Name, Ready, Status, Restarts, Age, and wide: IP, Node, Nominated Node, Readiness Gates.
/// </summary>
public sealed class PodTable : TableConvertor<V1Pod>
{
    private const string None = "<none>";

    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        Printing.Columns.Text("Ready", "The aggregate readiness state of this pod for accepting traffic."),
        Printing.Columns.Text("Status", "The aggregate status of the containers in this pod."),
        Printing.Columns.Text("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        Printing.Columns.Age(),
        Printing.Columns.Text("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", priority: 1),
        Printing.Columns.Text("Node", "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename", priority: 1),
        Printing.Columns.Text("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.", priority: 1),
        Printing.Columns.Text("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates", priority: 1),
    ];

    /// <inheritdoc />
    protected override object?[] Row(V1Pod item, DateTimeOffset now)
    {
        var (ready, status, restarts) = PodSummary.Summarize(item, now);
        return
        [
            item.Metadata?.Name,
            ready,
            status,
            restarts,
            HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
            OrNone(item.Status?.PodIPs is { Count: > 0 } ips ? ips[0].Ip : null),
            OrNone(item.Spec?.NodeName),
            OrNone(item.Status?.NominatedNodeName),
            ReadinessGates(item),
        ];
    }

    // How many of the gates' conditions are True, out of how many gates.
    private static string ReadinessGates(V1Pod pod)
    {
        var gates = pod.Spec?.ReadinessGates;
        if (gates is null || gates.Count == 0)
        {
            return None;
        }

        var conditions = pod.Status?.Conditions ?? [];
        var passing = gates.Count(gate => conditions.FirstOrDefault(c => c.Type == gate.ConditionType)?.Status == "True");
        return string.Create(CultureInfo.InvariantCulture, $"{passing}/{gates.Count}");
    }

    private static string OrNone(string? value) => string.IsNullOrEmpty(value) ? None : value;
}
