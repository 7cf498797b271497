namespace Cetus.Api.Scheme;

/// <summary>A column of a meta.k8s.io/v1 Table (what <c>kubectl get</c> prints).</summary>
/// <param name="Name">The header, e.g. <c>Name</c>, <c>Ready</c>.</param>
/// <param name="Type">An OpenAPI type: <c>string</c>, <c>integer</c>, <c>number</c>, <c>boolean</c>.</param>
/// <param name="Format">An OpenAPI format, e.g. <c>name</c> for the name column, else empty.</param>
/// <param name="Description">What the column holds.</param>
/// <param name="Priority">0 for the default columns, 1 for those only <c>-o wide</c> shows.</param>
public sealed record TableColumn(string Name, string Type, string Format, string Description, int Priority = 0);

/// <summary>Turns objects of one kind into Table rows with the columns Kubernetes shows for that kind.</summary>
public interface ITableConvertor
{
    /// <summary>The columns, in order.</summary>
    IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>The cells of <paramref name="item"/>'s row (one per column), at time <paramref name="now"/> (for ages).</summary>
    object?[] Cells(object item, DateTimeOffset now);
}
