using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Rbac;

/// <summary>Roles: Name and Created At (printers.go's roleColumnDefinitions: a timestamp, not an age).</summary>
public sealed class RoleTable : TableConvertor<V1Role>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns => DefaultTableConvertor.Instance.Columns;

    /// <inheritdoc />
    protected override object?[] Row(V1Role item, DateTimeOffset now) => DefaultTableConvertor.Instance.Cells(item, now);
}

/// <summary>ClusterRoles: Name and Created At, as Roles.</summary>
public sealed class ClusterRoleTable : TableConvertor<V1ClusterRole>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns => DefaultTableConvertor.Instance.Columns;

    /// <inheritdoc />
    protected override object?[] Row(V1ClusterRole item, DateTimeOffset now) => DefaultTableConvertor.Instance.Cells(item, now);
}
