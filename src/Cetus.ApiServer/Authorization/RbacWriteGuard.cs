using Cetus.ApiServer.Handlers;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Security;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Authorization;

/// <summary>
/// Admission checks on writes by who writes them: NodeRestriction for node identities, then escalation
/// prevention on RBAC writes (pkg/registry/rbac/*/policybased): a Role or ClusterRole may only hold
/// rules its writer holds, unless the writer may <c>escalate</c> roles; a binding may only reference a role whose
/// rules its writer holds, unless the writer may <c>bind</c> that role. system:masters is never checked.
/// </summary>
internal sealed class RbacWriteGuard(RbacAuthorizer authorizer)
{
    private const string Group = "rbac.authorization.k8s.io";

    private static readonly V1PolicyRule[] FullAuthority =
    [
        new() { Verbs = ["*"], ApiGroups = ["*"], Resources = ["*"] },
        new() { Verbs = ["*"], NonResourceURLs = ["*"] },
    ];

    /// <summary>Throws 403 when writing <paramref name="item"/> (over <paramref name="old"/>, if any) would escalate.</summary>
    public void Check(ResourceRequest request, IKubernetesObject<V1ObjectMeta> item, IKubernetesObject<V1ObjectMeta>? old)
    {
        if (Authentication.UserOf(request.Http) is { } writer)
        {
            NodeRestriction.Check(request, writer, item, old);
        }

        if (request.Definition.Group != Group || Authentication.UserOf(request.Http) is not { } user || user.Groups.Contains(RbacPolicy.MastersGroup))
        {
            return;
        }

        var ns = request.Namespace;
        var name = item.Metadata.Name;
        switch (item)
        {
            case V1Role role:
                CheckRole(request, user, ns, name, role.Rules, (old as V1Role)?.Rules, aggregation: false);
                break;
            case V1ClusterRole clusterRole:
                var oldRole = old as V1ClusterRole;
                var aggregated = clusterRole.AggregationRule is not null || oldRole?.AggregationRule is not null;
                CheckRole(request, user, ns, name, clusterRole.Rules, oldRole?.Rules, aggregated);
                break;
            case V1RoleBinding binding:
                CheckBinding(request, user, ns, name, binding.RoleRef);
                break;
            case V1ClusterRoleBinding clusterBinding:
                CheckBinding(request, user, string.Empty, name, clusterBinding.RoleRef);
                break;
        }
    }

    /// <summary>The checks that apply to a status write: NodeRestriction (a node writes only its own pods' status).</summary>
    public static void CheckStatus(ResourceRequest request, IKubernetesObject<V1ObjectMeta> item, IKubernetesObject<V1ObjectMeta> old)
    {
        if (Authentication.UserOf(request.Http) is { } writer)
        {
            NodeRestriction.Check(request, writer, item, old);
        }
    }

    private void CheckRole(ResourceRequest request, UserInfo user, string ns, string name, IList<V1PolicyRule>? rules, IList<V1PolicyRule>? oldRules, bool aggregation)
    {
        if (oldRules is not null && RuleEquality.Same(rules, oldRules) && !aggregation)
        {
            return;
        }

        if (authorizer.Authorize(Attributes(user, "escalate", request.Definition.Plural, ns, name)).Allowed)
        {
            return;
        }

        var policy = authorizer.Policy;
        var (owned, errors) = policy.RulesFor(user, ns);
        var missing = Escalation.Missing(owned, rules ?? []);
        if (missing.Count > 0)
        {
            throw Forbidden.Problem(Group, request.Definition.Plural, name, Escalation.Message(user, missing, errors));
        }

        if (aggregation && Escalation.Missing(owned, FullAuthority).Count > 0)
        {
            throw Forbidden.Problem(Group, request.Definition.Plural, name, "must have cluster-admin privileges to use the aggregationRule");
        }
    }

    private void CheckBinding(ResourceRequest request, UserInfo user, string ns, string name, V1RoleRef roleRef)
    {
        var resource = roleRef.Kind == "Role" ? "roles" : "clusterroles";
        if (authorizer.Authorize(Attributes(user, "bind", resource, ns, roleRef.Name)).Allowed)
        {
            return;
        }

        var policy = authorizer.Policy;
        var (rules, error) = policy.RoleReferenceRules(roleRef, ns);
        if (error is not null)
        {
            throw Errors.Problems.NotFound(Group, roleRef.Kind == "Role" ? "role" : "clusterrole", roleRef.Name);
        }

        var (owned, errors) = policy.RulesFor(user, ns);
        var missing = Escalation.Missing(owned, rules!);
        if (missing.Count > 0)
        {
            throw Forbidden.Problem(Group, request.Definition.Plural, name, Escalation.Message(user, missing, errors));
        }
    }

    private static RequestAttributes Attributes(UserInfo user, string verb, string resource, string ns, string name) =>
        RequestAttributes.ForResource(user, verb, Group, resource, ns, name);
}
