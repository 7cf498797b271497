using k8s;
using k8s.Models;

namespace Cetus.Api.Scheme;

/// <summary>The columns Kubernetes shows for a kind without printers of its own: Name and Created At.</summary>
public sealed class DefaultTableConvertor : ITableConvertor
{
    /// <summary>The one instance.</summary>
    public static readonly DefaultTableConvertor Instance = new();

    /// <inheritdoc />
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        new("Name", "string", "name", "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"),
        new("Created At", "date", string.Empty, "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    ];

    /// <inheritdoc />
    public object?[] Cells(object item, DateTimeOffset now)
    {
        var metadata = ((IMetadata<V1ObjectMeta>)item).Metadata;
        return [metadata?.Name, metadata?.CreationTimestamp?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)];
    }
}
