using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.PodDisruptionBudgets;

/// <summary>PodDisruptionBudgets: Name, Min Available, Max Unavailable, Allowed Disruptions, Age (printers.go).</summary>
public sealed class PodDisruptionBudgetTable : TableConvertor<V1PodDisruptionBudget>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        Printing.Columns.Text("Min Available", "The minimum number of pods that must be available."),
        Printing.Columns.Text("Max Unavailable", "The maximum number of pods that may be unavailable."),
        Printing.Columns.Integer("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time."),
        Printing.Columns.Age(),
    ];

    /// <inheritdoc />
    protected override object?[] Row(V1PodDisruptionBudget item, DateTimeOffset now) =>
    [
        item.Metadata?.Name,
        item.Spec?.MinAvailable?.Value ?? "N/A",
        item.Spec?.MaxUnavailable?.Value ?? "N/A",
        (long)(item.Status?.DisruptionsAllowed ?? 0),
        HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
    ];
}
