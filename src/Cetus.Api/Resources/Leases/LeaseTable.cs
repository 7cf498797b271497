using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Leases;

/// <summary>Leases: Name, Holder (the holder identity, empty when free), Age.</summary>
public sealed class LeaseTable : TableConvertor<V1Lease>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        Printing.Columns.Text("Holder", "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."),
        Printing.Columns.Age(),
    ];

    /// <inheritdoc />
    protected override object?[] Row(V1Lease item, DateTimeOffset now) =>
    [
        item.Metadata?.Name,
        item.Spec?.HolderIdentity ?? string.Empty,
        HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
    ];
}
