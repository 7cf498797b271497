using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Rbac;

/// <summary>Roles (pkg/registry/rbac/role): path-segment names, valid rules.</summary>
internal sealed class RoleStrategy : ResourceStrategy<V1Role>
{
    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1Role item) =>
        ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: true, RbacValidation.NameRule)
            .Concat(RbacValidation.Rules(item.Rules, namespaced: true)).ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1Role item, V1Role old) =>
        ValidateCreate(item).Concat(ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata)).Distinct().ToList();
}

/// <summary>ClusterRoles (pkg/registry/rbac/clusterrole): valid rules and aggregation selectors.</summary>
internal sealed class ClusterRoleStrategy : ResourceStrategy<V1ClusterRole>
{
    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1ClusterRole item) =>
        ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: false, RbacValidation.NameRule)
            .Concat(RbacValidation.Rules(item.Rules, namespaced: false))
            .Concat(RbacValidation.Aggregation(item.AggregationRule)).ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1ClusterRole item, V1ClusterRole old) =>
        ValidateCreate(item).Concat(ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata)).Distinct().ToList();
}

/// <summary>RoleBindings (pkg/registry/rbac/rolebinding): a Role or ClusterRole reference that never changes, valid subjects.</summary>
internal sealed class RoleBindingStrategy : ResourceStrategy<V1RoleBinding>
{
    /// <inheritdoc />
    protected override void Default(V1RoleBinding item) => RbacValidation.DefaultBinding(item.RoleRef, item.Subjects);

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1RoleBinding item) =>
        ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: true, RbacValidation.NameRule)
            .Concat(RbacValidation.Binding(item.RoleRef, item.Subjects, namespaced: true)).ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1RoleBinding item, V1RoleBinding old) =>
        ValidateCreate(item).Concat(ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata))
            .Concat(RbacValidation.RoleRefUnchanged(item.RoleRef, old.RoleRef)).Distinct().ToList();
}

/// <summary>ClusterRoleBindings (pkg/registry/rbac/clusterrolebinding): a ClusterRole reference that never changes, valid subjects.</summary>
internal sealed class ClusterRoleBindingStrategy : ResourceStrategy<V1ClusterRoleBinding>
{
    /// <inheritdoc />
    protected override void Default(V1ClusterRoleBinding item) => RbacValidation.DefaultBinding(item.RoleRef, item.Subjects);

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1ClusterRoleBinding item) =>
        ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: false, RbacValidation.NameRule)
            .Concat(RbacValidation.Binding(item.RoleRef, item.Subjects, namespaced: false)).ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1ClusterRoleBinding item, V1ClusterRoleBinding old) =>
        ValidateCreate(item).Concat(ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata))
            .Concat(RbacValidation.RoleRefUnchanged(item.RoleRef, old.RoleRef)).Distinct().ToList();
}
