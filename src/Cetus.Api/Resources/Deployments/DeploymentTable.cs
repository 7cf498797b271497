using System.Globalization;
using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Deployments;

/// <summary>Deployments: Name, Ready (<c>ready/desired</c>), Up-to-date, Available, Age, and wide: Containers, Images, Selector.</summary>
public sealed class DeploymentTable : TableConvertor<V1Deployment>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        Printing.Columns.Text("Ready", "Number of the pod with ready state"),
        // Upstream declares these two as strings; their cells are integers all the same.
        Printing.Columns.Text("Up-to-date", "Total number of non-terminating pods targeted by this deployment that have the desired template spec."),
        Printing.Columns.Text("Available", "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment."),
        Printing.Columns.Age(),
        Printing.Columns.Text("Containers", Printing.Columns.ContainersDescription, priority: 1),
        Printing.Columns.Text("Images", Printing.Columns.ImagesDescription, priority: 1),
        Printing.Columns.Text("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.", priority: 1),
    ];

    /// <inheritdoc />
    protected override object?[] Row(V1Deployment item, DateTimeOffset now)
    {
        // Reading an apps/v1 Deployment defaults spec.replicas to 1.
        var desired = item.Spec?.Replicas ?? 1;
        var (containers, images) = ContainerCells.Layout(item.Spec?.Template?.Spec?.Containers);
        return
        [
            item.Metadata?.Name,
            string.Create(CultureInfo.InvariantCulture, $"{item.Status?.ReadyReplicas ?? 0}/{desired}"),
            (long)(item.Status?.UpdatedReplicas ?? 0),
            (long)(item.Status?.AvailableReplicas ?? 0),
            HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
            containers,
            images,
            SelectorCells.SelectorString(item.Spec?.Selector),
        ];
    }
}
