using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.ReplicaSets;

/// <summary>ReplicaSets: Name, Desired, Current, Ready, Age, and wide: Containers, Images, Selector.</summary>
public sealed class ReplicaSetTable : TableConvertor<V1ReplicaSet>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        Printing.Columns.Integer("Desired", "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset"),
        Printing.Columns.Integer("Current", "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset"),
        Printing.Columns.Integer("Ready", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."),
        Printing.Columns.Age(),
        Printing.Columns.Text("Containers", Printing.Columns.ContainersDescription, priority: 1),
        Printing.Columns.Text("Images", Printing.Columns.ImagesDescription, priority: 1),
        Printing.Columns.Text("Selector", "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", priority: 1),
    ];

    /// <inheritdoc />
    protected override object?[] Row(V1ReplicaSet item, DateTimeOffset now)
    {
        var (containers, images) = ContainerCells.Layout(item.Spec?.Template?.Spec?.Containers);
        return
        [
            item.Metadata?.Name,
            // Reading an apps/v1 ReplicaSet defaults spec.replicas to 1.
            (long)(item.Spec?.Replicas ?? 1),
            (long)(item.Status?.Replicas ?? 0),
            (long)(item.Status?.ReadyReplicas ?? 0),
            HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
            containers,
            images,
            SelectorCells.FormatLabelSelector(item.Spec?.Selector),
        ];
    }
}
