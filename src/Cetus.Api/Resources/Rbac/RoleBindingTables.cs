using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Rbac;

/// <summary>The columns both binding kinds share (printers.go's roleBindingsColumnDefinitions).</summary>
internal static class BindingColumns
{
    private const string RoleRefDescription = "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.";

    public static IReadOnlyList<TableColumn> For(string kind) =>
    [
        Printing.Columns.Name(),
        Printing.Columns.Text("Role", RoleRefDescription),
        Printing.Columns.Age(),
        Printing.Columns.Text("Users", $"Users in the {kind}", priority: 1),
        Printing.Columns.Text("Groups", $"Groups in the {kind}", priority: 1),
        Printing.Columns.Text("ServiceAccounts", $"ServiceAccounts in the {kind}", priority: 1),
    ];

    /// <summary>Name, <c>Kind/name</c> of the role, age, then users, groups and <c>namespace/name</c> service accounts.</summary>
    public static object?[] Row(V1ObjectMeta? metadata, V1RoleRef? roleRef, IList<Rbacv1Subject>? subjects, DateTimeOffset now)
    {
        var all = subjects ?? [];
        return
        [
            metadata?.Name,
            $"{roleRef?.Kind}/{roleRef?.Name}",
            HumanDuration.Since(metadata?.CreationTimestamp, now),
            string.Join(", ", all.Where(s => s.Kind == "User").Select(s => s.Name)),
            string.Join(", ", all.Where(s => s.Kind == "Group").Select(s => s.Name)),
            string.Join(", ", all.Where(s => s.Kind == "ServiceAccount").Select(s => $"{s.NamespaceProperty}/{s.Name}")),
        ];
    }
}

/// <summary>RoleBindings: Name, Role, Age; -o wide adds Users, Groups, ServiceAccounts.</summary>
public sealed class RoleBindingTable : TableConvertor<V1RoleBinding>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } = BindingColumns.For("roleBinding");

    /// <inheritdoc />
    protected override object?[] Row(V1RoleBinding item, DateTimeOffset now) => BindingColumns.Row(item.Metadata, item.RoleRef, item.Subjects, now);
}

/// <summary>ClusterRoleBindings: Name, Role, Age; -o wide adds Users, Groups, ServiceAccounts.</summary>
public sealed class ClusterRoleBindingTable : TableConvertor<V1ClusterRoleBinding>
{
    /// <inheritdoc />
    public override IReadOnlyList<TableColumn> Columns { get; } = BindingColumns.For("clusterRoleBinding");

    /// <inheritdoc />
    protected override object?[] Row(V1ClusterRoleBinding item, DateTimeOffset now) => BindingColumns.Row(item.Metadata, item.RoleRef, item.Subjects, now);
}
