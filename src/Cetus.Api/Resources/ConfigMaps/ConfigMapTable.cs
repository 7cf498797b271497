using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.ConfigMaps;

/// <summary>ConfigMaps: Name, Data (the number of keys, text and binary), Age.</summary>
public sealed class ConfigMapTable : TableConvertor<V1ConfigMap>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        // Upstream declares the count column as a string; its cell is still an integer.
        Printing.Columns.Text("Data", "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
        Printing.Columns.Age(),
    ];

    /// <inheritdoc />
    protected override object?[] Row(V1ConfigMap item, DateTimeOffset now) =>
    [
        item.Metadata?.Name,
        (long)((item.Data?.Count ?? 0) + (item.BinaryData?.Count ?? 0)),
        HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
    ];
}
