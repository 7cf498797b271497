using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Rbac;

/// <summary>The rules of pkg/apis/rbac/validation: policy rules, role references and binding subjects.</summary>
internal static class RbacValidation
{
    /// <summary>rbac.authorization.k8s.io, the only group a roleRef (and a User or Group subject) may name.</summary>
    public const string GroupName = "rbac.authorization.k8s.io";

    /// <summary>Role and binding names only need to be usable as a path segment (upstream's minimalNameRequirements).</summary>
    public static readonly NameValidator NameRule = (name, prefix) => PathSegmentName(name, prefix);

    public static IReadOnlyList<string> PathSegmentName(string name, bool prefix)
    {
        var errors = new List<string>();
        if (!prefix && name is "." or "..")
        {
            errors.Add($"may not be '{name}'");
        }

        foreach (var illegal in new[] { "/", "%" })
        {
            if (name.Contains(illegal, StringComparison.Ordinal))
            {
                errors.Add($"may not contain '{illegal}'");
            }
        }

        return errors;
    }

    public static IEnumerable<FieldError> Rules(IList<V1PolicyRule>? rules, bool namespaced)
    {
        for (var i = 0; i < (rules?.Count ?? 0); i++)
        {
            foreach (var error in Rule(rules![i], namespaced, FieldPath.Root("rules").Index(i)))
            {
                yield return error;
            }
        }
    }

    public static IEnumerable<FieldError> Rule(V1PolicyRule rule, bool namespaced, FieldPath path)
    {
        if ((rule.Verbs?.Count ?? 0) == 0)
        {
            yield return FieldErrors.Required(path.Child("verbs"), "verbs must contain at least one value");
        }

        if ((rule.NonResourceURLs?.Count ?? 0) > 0)
        {
            var urls = GoSyntax.StringSlice(rule.NonResourceURLs);
            if (namespaced)
            {
                yield return FieldErrors.Invalid(path.Child("nonResourceURLs"), urls, "namespaced rules cannot apply to non-resource URLs");
            }

            if ((rule.ApiGroups?.Count ?? 0) > 0 || (rule.Resources?.Count ?? 0) > 0 || (rule.ResourceNames?.Count ?? 0) > 0)
            {
                yield return FieldErrors.Invalid(path.Child("nonResourceURLs"), urls, "rules cannot apply to both regular resources and non-resource URLs");
            }

            yield break;
        }

        if ((rule.ApiGroups?.Count ?? 0) == 0)
        {
            yield return FieldErrors.Required(path.Child("apiGroups"), "resource rules must supply at least one api group");
        }

        if ((rule.Resources?.Count ?? 0) == 0)
        {
            yield return FieldErrors.Required(path.Child("resources"), "resource rules must supply at least one resource");
        }

        if ((rule.ResourceNames?.Count ?? 0) > 0 && (rule.Resources?.Count ?? 0) > 1)
        {
            yield return FieldErrors.Required(path.Child("resourceNames"), "resource names cannot apply to multiple resources");
        }
    }

    public static IEnumerable<FieldError> Aggregation(V1AggregationRule? aggregation)
    {
        if (aggregation is null)
        {
            yield break;
        }

        var path = FieldPath.Root("aggregationRule").Child("clusterRoleSelectors");
        if ((aggregation.ClusterRoleSelectors?.Count ?? 0) == 0)
        {
            yield return FieldErrors.Required(path, "at least one clusterRoleSelector required if aggregationRule is non-nil");
        }

        for (var i = 0; i < (aggregation.ClusterRoleSelectors?.Count ?? 0); i++)
        {
            foreach (var error in LabelSelectorValidation.Selector(aggregation.ClusterRoleSelectors![i], path.Index(i)))
            {
                yield return error;
            }
        }
    }

    public static IEnumerable<FieldError> Binding(V1RoleRef? roleRef, IList<Rbacv1Subject>? subjects, bool namespaced)
    {
        var apiGroup = roleRef?.ApiGroup ?? string.Empty;
        if (apiGroup != GroupName)
        {
            yield return FieldErrors.NotSupported(FieldPath.Root("roleRef").Child("apiGroup"), apiGroup, [GroupName]);
        }

        var kind = roleRef?.Kind ?? string.Empty;
        string[] kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
        if (!kinds.Contains(kind))
        {
            yield return FieldErrors.NotSupported(FieldPath.Root("roleRef").Child("kind"), kind, kinds);
        }

        var name = roleRef?.Name ?? string.Empty;
        if (name.Length == 0)
        {
            yield return FieldErrors.Required(FieldPath.Root("roleRef").Child("name"));
        }
        else
        {
            foreach (var message in PathSegmentName(name, false))
            {
                yield return FieldErrors.Invalid(FieldPath.Root("roleRef").Child("name"), name, message);
            }
        }

        for (var i = 0; i < (subjects?.Count ?? 0); i++)
        {
            foreach (var error in Subject(subjects![i], namespaced, FieldPath.Root("subjects").Index(i)))
            {
                yield return error;
            }
        }
    }

    public static IEnumerable<FieldError> RoleRefUnchanged(V1RoleRef? roleRef, V1RoleRef? old)
    {
        if ((roleRef?.ApiGroup, roleRef?.Kind, roleRef?.Name) != (old?.ApiGroup, old?.Kind, old?.Name))
        {
            var literal = new GoLiteral($"rbac.RoleRef{{APIGroup:{GoText.Quote(roleRef?.ApiGroup ?? "")}, Kind:{GoText.Quote(roleRef?.Kind ?? "")}, Name:{GoText.Quote(roleRef?.Name ?? "")}}}");
            yield return FieldErrors.Invalid(FieldPath.Root("roleRef"), literal, "cannot change roleRef");
        }
    }

    /// <summary>SetDefaults_RoleBinding and SetDefaults_Subject: the RBAC group where it was left out.</summary>
    public static void DefaultBinding(V1RoleRef? roleRef, IList<Rbacv1Subject>? subjects)
    {
        if (roleRef is not null && string.IsNullOrEmpty(roleRef.ApiGroup))
        {
            roleRef.ApiGroup = GroupName;
        }

        foreach (var subject in subjects ?? [])
        {
            if (string.IsNullOrEmpty(subject.ApiGroup) && subject.Kind is "User" or "Group")
            {
                subject.ApiGroup = GroupName;
            }
        }
    }

    private static IEnumerable<FieldError> Subject(Rbacv1Subject subject, bool namespaced, FieldPath path)
    {
        var name = subject.Name ?? string.Empty;
        var apiGroup = subject.ApiGroup ?? string.Empty;
        if (name.Length == 0)
        {
            yield return FieldErrors.Required(path.Child("name"));
        }

        switch (subject.Kind)
        {
            case "ServiceAccount":
                if (name.Length > 0)
                {
                    foreach (var message in DnsNames.IsDns1123Subdomain(name))
                    {
                        yield return FieldErrors.Invalid(path.Child("name"), name, message);
                    }
                }

                if (apiGroup.Length > 0)
                {
                    yield return FieldErrors.NotSupported(path.Child("apiGroup"), apiGroup, [""]);
                }

                if (!namespaced && string.IsNullOrEmpty(subject.NamespaceProperty))
                {
                    yield return FieldErrors.Required(path.Child("namespace"));
                }

                break;
            case "User" or "Group":
                if (name.Length == 0)
                {
                    yield return FieldErrors.Invalid(path.Child("name"), name, $"{subject.Kind.ToLowerInvariant()} name cannot be empty");
                }

                if (apiGroup != GroupName)
                {
                    yield return FieldErrors.NotSupported(path.Child("apiGroup"), apiGroup, [GroupName]);
                }

                break;
            default:
                yield return FieldErrors.NotSupported(path.Child("kind"), subject.Kind ?? string.Empty, ["ServiceAccount", "User", "Group"]);
                break;
        }
    }
}
