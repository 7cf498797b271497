using Cetus.ApiServer.Authorization;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Security;
using k8s.Models;
using Xunit;

namespace Cetus.ApiServer.Tests.Authorization;

public sealed class RbacPolicyTests
{
    private const string Group = "rbac.authorization.k8s.io";

    private static readonly UserInfo Alice = new("alice", "", ["system:authenticated"]);
    private static readonly UserInfo Bob = new("bob", "", ["dev", "system:authenticated"]);
    private static readonly UserInfo Robot = new("system:serviceaccount:ci:robot", "", ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"]);
    private static readonly UserInfo Root = new("root", "", ["system:masters"]);

    [Fact]
    public void Bindings_GrantTheirRoles_ToUsersGroupsAndServiceAccounts_InTheirNamespaceOnly()
    {
        var policy = new RbacPolicy(
            [Role("ci", "pod-reader", "get,list|core|pods|")],
            [ClusterRole("cm-editor", null, null, "*|core|configmaps|")],
            [
                RoleBinding("ci", "alice-reads", "Role", "pod-reader", User("alice")),
                RoleBinding("ci", "robot-reads", "Role", "pod-reader", new Rbacv1Subject { Kind = "ServiceAccount", Name = "robot" }),
                RoleBinding("team", "dev-edits", "ClusterRole", "cm-editor", GroupSubject("dev")),
            ],
            []);

        Assert.True(Allowed(policy, Alice, "list core pods", "ci"));
        Assert.False(Allowed(policy, Alice, "list core pods", "team"));
        Assert.True(Allowed(policy, Robot, "get core pods", "ci"));
        Assert.True(Allowed(policy, Bob, "delete core configmaps", "team"));
        Assert.False(Allowed(policy, Bob, "delete core configmaps", "ci"));
        Assert.False(Allowed(policy, Bob, "delete core configmaps", ""));
        Assert.Equal("RBAC: allowed by RoleBinding \"alice-reads/ci\" of Role \"pod-reader\" to User \"alice\"", policy.Authorize(PolicyRulesTests.ParseRequest("list core pods", Alice, "ci")).Reason);
        Assert.Equal("RBAC: allowed by RoleBinding \"robot-reads/ci\" of Role \"pod-reader\" to ServiceAccount \"robot/ci\"", policy.Authorize(PolicyRulesTests.ParseRequest("get core pods", Robot, "ci")).Reason);
    }

    [Fact]
    public void ClusterRoleBindings_GrantEverywhere_AndMastersBypass()
    {
        var policy = new RbacPolicy([], [ClusterRole("node-reader", null, null, "get|core|nodes|")], [], [ClusterRoleBinding("bob-nodes", "node-reader", GroupSubject("dev"))]);

        Assert.True(Allowed(policy, Bob, "get core nodes", ""));
        Assert.Equal("RBAC: allowed by ClusterRoleBinding \"bob-nodes\" of ClusterRole \"node-reader\" to Group \"dev\"", policy.Authorize(PolicyRulesTests.ParseRequest("get core nodes", Bob, "")).Reason);
        Assert.True(Allowed(policy, Bob, "get core nodes", "anywhere"));
        Assert.False(Allowed(policy, Alice, "get core nodes", ""));
        Assert.True(Allowed(policy, Root, "delete core nodes", ""));
        Assert.True(RbacPolicy.Empty.Authorize(PolicyRulesTests.ParseRequest("get core anything", Root)).Allowed);
    }

    [Fact]
    public void AMissingRole_DeniesWithUpstreamsReason()
    {
        var policy = new RbacPolicy([], [], [RoleBinding("ci", "broken", "Role", "gone", User("alice"))], [ClusterRoleBinding("broken", "gone-too", User("alice"))]);

        var (allowed, reason) = policy.Authorize(PolicyRulesTests.ParseRequest("get core pods", Alice, "ci"));

        Assert.False(allowed);
        Assert.Equal("RBAC: [clusterrole.rbac.authorization.k8s.io \"gone-too\" not found, role.rbac.authorization.k8s.io \"gone\" not found]", reason);
    }

    [Fact]
    public void Aggregation_UnitesTheMatchingRolesRules_ThroughNestedAggregates()
    {
        var view = ClusterRole("view", "aggregate-to-edit", "aggregate-to-view");
        var edit = ClusterRole("edit", "aggregate-to-admin", "aggregate-to-edit");
        var admin = ClusterRole("admin", null, "aggregate-to-admin");
        var viewRules = ClusterRole("view-pods", "aggregate-to-view", null, "get|core|pods|");
        var editRules = ClusterRole("edit-pods", "aggregate-to-edit", null, "create|core|pods|");
        var adminRules = ClusterRole("admin-roles", "aggregate-to-admin", null, "create|rbac.authorization.k8s.io|roles|");
        var unrelated = ClusterRole("unrelated", null, null, "*|*|*|");
        var policy = new RbacPolicy([], [admin, edit, view, viewRules, editRules, adminRules, unrelated], [], []);

        Assert.Equal(["get"], policy.ClusterRoleRules("view")!.SelectMany(r => r.Verbs));
        Assert.Equal(["create", "get"], policy.ClusterRoleRules("edit")!.SelectMany(r => r.Verbs).Order());
        Assert.Equal(["create", "create", "get"], policy.ClusterRoleRules("admin")!.SelectMany(r => r.Verbs).Order());
        Assert.DoesNotContain(policy.ClusterRoleRules("admin")!, r => r.Resources.Contains("*"));
    }

    [Fact]
    public void Aggregation_DropsDuplicateRules_AndOrdersSourcesByName()
    {
        var aggregate = ClusterRole("agg", null, "pick");
        var b = ClusterRole("b", "pick", null, "get|core|pods|", "list|core|pods|");
        var a = ClusterRole("a", "pick", null, "list|core|pods|");

        var rules = RbacPolicy.AggregatedRules(aggregate, [aggregate, b, a], r => r.Rules ?? [])!;

        Assert.Equal(["list", "get"], rules.SelectMany(r => r.Verbs));
    }

    [Fact]
    public void RulesFor_ListsClusterWideAndNamespaceRules()
    {
        var policy = new RbacPolicy(
            [Role("ci", "pod-reader", "get|core|pods|")],
            [ClusterRole("basic", null, null, "create|authorization.k8s.io|selfsubjectaccessreviews|")],
            [RoleBinding("ci", "alice-reads", "Role", "pod-reader", User("alice"))],
            [ClusterRoleBinding("basic", "basic", GroupSubject("system:authenticated"))]);

        Assert.Equal(2, policy.RulesFor(Alice, "ci").Rules.Count);
        Assert.Single(policy.RulesFor(Alice, "other").Rules);
        Assert.Single(policy.RulesFor(Bob, "ci").Rules);
    }

    [Fact]
    public void Forbidden_WordsEachVariantAsKubeApiserver()
    {
        Assert.Equal("pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"", Message(PolicyRulesTests.ParseRequest("list core pods", Alice)));
        Assert.Equal("pods \"web\" is forbidden: User \"alice\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"default\"", Message(PolicyRulesTests.ParseRequest("get core pods/log web", Alice)));
        Assert.Equal("deployments.apps \"web\" is forbidden: User \"alice\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"default\"", Message(PolicyRulesTests.ParseRequest("patch apps deployments/scale web", Alice)));
        Assert.Equal("nodes is forbidden: User \"alice\" cannot list resource \"nodes\" in API group \"\" at the cluster scope", Message(PolicyRulesTests.ParseRequest("list core nodes", Alice, "")));
        Assert.Equal("forbidden: User \"alice\" cannot get path \"/metrics\"", Message(new RequestAttributes { User = Alice, Verb = "get", Path = "/metrics" }));
        Assert.Equal("pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\": RBAC: role.rbac.authorization.k8s.io \"gone\" not found", Forbidden.For(PolicyRulesTests.ParseRequest("list core pods", Alice), "RBAC: role.rbac.authorization.k8s.io \"gone\" not found").Status.Message);

        static string Message(RequestAttributes request)
        {
            ApiException error = Forbidden.For(request, "");
            Assert.Equal(403, error.Status.Code);
            Assert.Equal("Forbidden", error.Status.Reason);
            return error.Status.Message;
        }
    }

    internal static V1Role Role(string ns, string name, params string[] rules) =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Rules = rules.Select(PolicyRulesTests.ParseRule).ToList() };

    internal static V1ClusterRole ClusterRole(string name, string? label, string? aggregates, params string[] rules) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = label is null ? null : new Dictionary<string, string> { [label] = "true" } },
        AggregationRule = aggregates is null ? null : new V1AggregationRule { ClusterRoleSelectors = [new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [aggregates] = "true" } }] },
        Rules = rules.Select(PolicyRulesTests.ParseRule).ToList(),
    };

    internal static V1RoleBinding RoleBinding(string ns, string name, string kind, string role, params Rbacv1Subject[] subjects) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        RoleRef = new V1RoleRef { ApiGroup = Group, Kind = kind, Name = role },
        Subjects = subjects,
    };

    internal static V1ClusterRoleBinding ClusterRoleBinding(string name, string role, params Rbacv1Subject[] subjects) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        RoleRef = new V1RoleRef { ApiGroup = Group, Kind = "ClusterRole", Name = role },
        Subjects = subjects,
    };

    internal static Rbacv1Subject User(string name) => new() { ApiGroup = Group, Kind = "User", Name = name };

    internal static Rbacv1Subject GroupSubject(string name) => new() { ApiGroup = Group, Kind = "Group", Name = name };

    private static bool Allowed(RbacPolicy policy, UserInfo user, string request, string ns) =>
        policy.Authorize(PolicyRulesTests.ParseRequest(request, user, ns)).Allowed;
}
