using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Secrets;

/// <summary>Secrets: Name, Type, Data (the number of keys), Age.</summary>
public sealed class SecretTable : TableConvertor<V1Secret>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Name(),
        Printing.Columns.Text("Type", "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
        Printing.Columns.Text("Data", "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
        Printing.Columns.Age(),
    ];

    /// <inheritdoc />
    protected override object?[] Row(V1Secret item, DateTimeOffset now)
    {
        // Upstream prints the internal object, into which conversion has already merged stringData.
        var keys = new HashSet<string>(item.Data?.Keys ?? [], StringComparer.Ordinal);
        keys.UnionWith(item.StringData?.Keys ?? []);
        return
        [
            item.Metadata?.Name,
            // Reading a v1 Secret defaults an empty type to Opaque.
            string.IsNullOrEmpty(item.Type) ? "Opaque" : item.Type,
            (long)keys.Count,
            HumanDuration.Since(item.Metadata?.CreationTimestamp, now),
        ];
    }
}
