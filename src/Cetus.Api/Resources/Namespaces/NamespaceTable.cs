using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Namespaces;

/// <summary>Namespaces: Name, Status (the phase), Age.</summary>
public sealed class NamespaceTable : TableConvertor<V1Namespace>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        Printing.Columns.Text("Status", "The status of the namespace"),
        Printing.Columns.Age(),
    ];

    /// <inheritdoc />
    protected override object?[] Row(V1Namespace item, DateTimeOffset now) =>
    [
        item.Metadata?.Name,
        // Reading a v1 Namespace defaults an empty phase to Active, so upstream's printer never sees it empty.
        string.IsNullOrEmpty(item.Status?.Phase) ? "Active" : item.Status.Phase,
        HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
    ];
}
