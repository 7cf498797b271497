using Cetus.Api.Validation;
using Cetus.ApiServer.Security;
using k8s.Models;

namespace Cetus.ApiServer.Authorization;

/// <summary>
/// An immutable view of every Role, ClusterRole, RoleBinding and ClusterRoleBinding, indexed for authorization; the
/// rules of an aggregated ClusterRole are the union of the rules of the ClusterRoles its selectors match.
/// </summary>
public sealed class RbacPolicy
{
    /// <summary>The group whose members bypass RBAC.</summary>
    public const string MastersGroup = "system:masters";

    private readonly Dictionary<string, IReadOnlyList<V1PolicyRule>> _clusterRoles;
    private readonly Dictionary<(string Namespace, string Name), IReadOnlyList<V1PolicyRule>> _roles;
    private readonly IReadOnlyList<V1ClusterRoleBinding> _clusterBindings;
    private readonly Dictionary<string, List<V1RoleBinding>> _bindings;

    /// <summary>Indexes the given objects.</summary>
    public RbacPolicy(IEnumerable<V1Role> roles, IEnumerable<V1ClusterRole> clusterRoles, IEnumerable<V1RoleBinding> bindings, IEnumerable<V1ClusterRoleBinding> clusterBindings)
    {
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(bindings);
        _roles = roles.ToDictionary(r => (r.Metadata.NamespaceProperty ?? string.Empty, r.Metadata.Name), r => (IReadOnlyList<V1PolicyRule>)(r.Rules?.ToList() ?? []));
        _clusterRoles = Aggregate(clusterRoles.ToList());
        _clusterBindings = clusterBindings.ToList();
        _bindings = bindings.GroupBy(b => b.Metadata.NamespaceProperty ?? string.Empty).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
    }

    /// <summary>A policy with no objects.</summary>
    public static RbacPolicy Empty { get; } = new([], [], [], []);

    /// <summary>The effective rules of a ClusterRole (aggregated ones included), or null when it does not exist.</summary>
    public IReadOnlyList<V1PolicyRule>? ClusterRoleRules(string name) => _clusterRoles.GetValueOrDefault(name);

    /// <summary>True when the user may do what the request asks (system:masters always may), with upstream's reason otherwise.</summary>
    public (bool Allowed, string Reason) Authorize(RequestAttributes request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.User.Groups.Contains(MastersGroup))
        {
            return (true, string.Empty);
        }

        var allowed = false;
        var by = default(Grant);
        List<string>? errors = null;
        VisitRulesFor(request.User, request.Namespace, (grant, rule, error) =>
        {
            if (error is not null)
            {
                (errors ??= []).Add(error);
                return true;
            }

            allowed = PolicyRules.Allows(rule!, request);
            by = grant;
            return !allowed;
        });
        if (allowed)
        {
            return (true, "RBAC: allowed by " + by.Describe());
        }

        return (false, errors is null ? string.Empty : "RBAC: " + (errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]"));
    }

    /// <summary>Every rule that applies to the user in a namespace (cluster-wide ones included), and the errors met resolving roles.</summary>
    public (List<V1PolicyRule> Rules, List<string> Errors) RulesFor(UserInfo user, string ns)
    {
        var rules = new List<V1PolicyRule>();
        var errors = new List<string>();
        VisitRulesFor(user, ns, (_, rule, error) =>
        {
            if (error is not null)
            {
                errors.Add(error);
            }
            else
            {
                rules.Add(rule!);
            }

            return true;
        });
        return (rules, errors);
    }

    /// <summary>The rules a role reference grants in a namespace, or the error kube-apiserver reports when it cannot be resolved.</summary>
    public (IReadOnlyList<V1PolicyRule>? Rules, string? Error) RoleReferenceRules(V1RoleRef roleRef, string ns)
    {
        ArgumentNullException.ThrowIfNull(roleRef);
        return roleRef.Kind switch
        {
            "Role" => _roles.TryGetValue((ns, roleRef.Name), out var rules) ? (rules, null) : (null, $"role.rbac.authorization.k8s.io \"{roleRef.Name}\" not found"),
            "ClusterRole" => _clusterRoles.TryGetValue(roleRef.Name, out var clusterRules) ? (clusterRules, null) : (null, $"clusterrole.rbac.authorization.k8s.io \"{roleRef.Name}\" not found"),
            _ => (null, $"unsupported role reference kind: \"{roleRef.Kind}\""),
        };
    }

    /// <summary>
    /// The rules <paramref name="role"/> aggregates from <paramref name="all"/>, in upstream's order
    /// (matching roles sorted by name, duplicates dropped); null when it has no aggregationRule.
    /// </summary>
    public static List<V1PolicyRule>? AggregatedRules(V1ClusterRole role, IEnumerable<V1ClusterRole> all, Func<V1ClusterRole, IEnumerable<V1PolicyRule>> rulesOf)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(rulesOf);
        if (role.AggregationRule is null)
        {
            return null;
        }

        var selectors = role.AggregationRule.ClusterRoleSelectors ?? [];
        var union = new List<V1PolicyRule>();
        foreach (var other in all.Where(o => o.Metadata.Name != role.Metadata.Name).OrderBy(o => o.Metadata.Name, StringComparer.Ordinal))
        {
            if (!selectors.Any(s => LabelSelectors.Matches(s, other.Metadata.Labels)))
            {
                continue;
            }

            foreach (var rule in rulesOf(other))
            {
                if (!union.Any(existing => RuleEquality.Same(existing, rule)))
                {
                    union.Add(rule);
                }
            }
        }

        return union;
    }

    private static Dictionary<string, IReadOnlyList<V1PolicyRule>> Aggregate(List<V1ClusterRole> roles)
    {
        var rules = roles.ToDictionary(r => r.Metadata.Name, r => (IReadOnlyList<V1PolicyRule>)(r.Rules?.ToList() ?? []), StringComparer.Ordinal);
        // Aggregated roles may aggregate others (admin takes edit, which takes view): repeat until nothing changes.
        for (var pass = 0; pass < 10; pass++)
        {
            var changed = false;
            foreach (var role in roles.Where(r => r.AggregationRule is not null))
            {
                var union = AggregatedRules(role, roles, r => rules[r.Metadata.Name])!;
                if (union.Count != rules[role.Metadata.Name].Count || !union.Zip(rules[role.Metadata.Name]).All(p => RuleEquality.Same(p.First, p.Second)))
                {
                    rules[role.Metadata.Name] = union;
                    changed = true;
                }
            }

            if (!changed)
            {
                break;
            }
        }

        return rules;
    }

    // Upstream's appliesTo: users by name, groups by membership, service accounts by their user name.
    private static Rbacv1Subject? AppliesTo(IList<Rbacv1Subject>? subjects, UserInfo user, string bindingNamespace)
    {
        foreach (var subject in subjects ?? [])
        {
            var applies = subject.Kind switch
            {
                "User" => subject.Name == user.Name,
                "Group" => user.Groups.Contains(subject.Name),
                "ServiceAccount" => (string.IsNullOrEmpty(subject.NamespaceProperty) ? bindingNamespace : subject.NamespaceProperty) is { Length: > 0 } saNamespace
                    && user.Name == $"system:serviceaccount:{saNamespace}:{subject.Name}",
                _ => false,
            };
            if (applies)
            {
                return subject;
            }
        }

        return null;
    }

    // Upstream's VisitRulesFor: cluster role bindings first, then the role bindings of the namespace; the visitor
    // returns false to stop.
    private void VisitRulesFor(UserInfo user, string ns, Func<Grant, V1PolicyRule?, string?, bool> visitor)
    {
        foreach (var binding in _clusterBindings)
        {
            if (AppliesTo(binding.Subjects, user, string.Empty) is { } subject
                && !Visit(new Grant(binding.Metadata.Name, string.Empty, binding.RoleRef, subject), RoleReferenceRules(binding.RoleRef, string.Empty), visitor))
            {
                return;
            }
        }

        if (ns.Length > 0 && _bindings.TryGetValue(ns, out var bindings))
        {
            foreach (var binding in bindings)
            {
                if (AppliesTo(binding.Subjects, user, ns) is { } subject
                    && !Visit(new Grant(binding.Metadata.Name, ns, binding.RoleRef, subject), RoleReferenceRules(binding.RoleRef, ns), visitor))
                {
                    return;
                }
            }
        }
    }

    private static bool Visit(Grant grant, (IReadOnlyList<V1PolicyRule>? Rules, string? Error) resolved, Func<Grant, V1PolicyRule?, string?, bool> visitor)
    {
        if (resolved.Error is not null)
        {
            return visitor(grant, null, resolved.Error);
        }

        foreach (var rule in resolved.Rules!)
        {
            if (!visitor(grant, rule, null))
            {
                return false;
            }
        }

        return true;
    }

    // The binding a rule came from, described only when it allowed a request (upstream's roleBindingDescriber).
    private readonly record struct Grant(string Binding, string Namespace, V1RoleRef RoleRef, Rbacv1Subject Subject)
    {
        public string Describe()
        {
            var subjectName = Subject.Kind == "ServiceAccount" ? $"{Subject.Name}/{(string.IsNullOrEmpty(Subject.NamespaceProperty) ? Namespace : Subject.NamespaceProperty)}" : Subject.Name;
            var subject = $"{Subject.Kind} \"{subjectName}\"";
            return Namespace.Length == 0
                ? $"ClusterRoleBinding \"{Binding}\" of {RoleRef.Kind} \"{RoleRef.Name}\" to {subject}"
                : $"RoleBinding \"{Binding}/{Namespace}\" of {RoleRef.Kind} \"{RoleRef.Name}\" to {subject}";
        }
    }
}

/// <summary>Equality of policy rules, field by field (order within lists counts, as Go's DeepEqual).</summary>
public static class RuleEquality
{
    /// <summary>True when the two rules are the same.</summary>
    public static bool Same(V1PolicyRule a, V1PolicyRule b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Same(a.Verbs, b.Verbs) && Same(a.ApiGroups, b.ApiGroups) && Same(a.Resources, b.Resources)
            && Same(a.ResourceNames, b.ResourceNames) && Same(a.NonResourceURLs, b.NonResourceURLs);
    }

    /// <summary>True when the two rule lists are the same, rule by rule.</summary>
    public static bool Same(IList<V1PolicyRule>? a, IList<V1PolicyRule>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? []).Zip(b ?? []).All(p => Same(p.First, p.Second));

    private static bool Same(IList<string>? a, IList<string>? b) => (a ?? []).SequenceEqual(b ?? [], StringComparer.Ordinal);
}
