using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.PriorityClasses;

/// <summary>PriorityClasses: Name, Value, Global-Default, Age, PreemptionPolicy (printers.go).</summary>
public sealed class PriorityClassTable : TableConvertor<V1PriorityClass>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        Printing.Columns.Integer("Value", "The value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
        new TableColumn("Global-Default", "boolean", string.Empty, "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.", 0),
        Printing.Columns.Age(),
        Printing.Columns.Text("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with lower priority."),
    ];

    /// <inheritdoc />
    protected override object?[] Row(V1PriorityClass item, DateTimeOffset now) =>
    [
        item.Metadata?.Name,
        item.Value,
        item.GlobalDefault ?? false,
        HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
        item.PreemptionPolicy ?? string.Empty,
    ];
}
