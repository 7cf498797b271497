using Cetus.Api.Resources.Rbac;
using Cetus.Api.Tests.Tables;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.Rbac;

public sealed class RbacStrategyTests
{
    private const string Group = "rbac.authorization.k8s.io";

    public static TheoryData<string, string> RejectedRules => new()
    {
        { "no verbs", "rules[0].verbs: Required value: verbs must contain at least one value" },
        { "no groups", "rules[0].apiGroups: Required value: resource rules must supply at least one api group" },
        { "no resources", "rules[0].resources: Required value: resource rules must supply at least one resource" },
        { "names for two resources", "rules[0].resourceNames: Required value: resource names cannot apply to multiple resources" },
        { "url in a role", "rules[0].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs" },
        { "url with resources", "rules[0].nonResourceURLs: Invalid value: []string{\"/healthz\"}: rules cannot apply to both regular resources and non-resource URLs" },
        { "bad name", "metadata.name: Invalid value: \"a/b\": may not contain '/'" },
    };

    private static readonly Dictionary<string, Action<V1Role>> RuleEdits = new()
    {
        ["no verbs"] = r => r.Rules[0].Verbs = [],
        ["no groups"] = r => r.Rules[0].ApiGroups = null,
        ["no resources"] = r => r.Rules[0].Resources = [],
        ["names for two resources"] = r => (r.Rules[0].Resources, r.Rules[0].ResourceNames) = (["pods", "secrets"], ["x"]),
        ["url in a role"] = r => r.Rules[0] = new V1PolicyRule { Verbs = ["get"], NonResourceURLs = ["/healthz"] },
        ["url with resources"] = r => r.Rules[0].NonResourceURLs = ["/healthz"],
        ["bad name"] = r => r.Metadata.Name = "a/b",
    };

    [Theory]
    [MemberData(nameof(RejectedRules))]
    public void Role_RejectsWithUpstreamMessage(string name, string message)
    {
        var role = ValidRole();
        RuleEdits[name](role);

        Assert.Contains(message, StrategyRun.Create(role));
    }

    [Fact]
    public void Role_NamesMayHoldColons_AsSystemRolesDo()
    {
        var role = ValidRole();
        role.Metadata.Name = "system:controller:thing";

        Assert.Empty(StrategyRun.Create(role));
    }

    [Fact]
    public void ClusterRole_TakesNonResourceUrls_AndNeedsASelectorWhenAggregated()
    {
        var role = new V1ClusterRole { Metadata = new V1ObjectMeta { Name = "health" }, Rules = [new V1PolicyRule { Verbs = ["get"], NonResourceURLs = ["/healthz", "/readyz*"] }] };
        var aggregated = new V1ClusterRole { Metadata = new V1ObjectMeta { Name = "agg" }, AggregationRule = new V1AggregationRule() };

        Assert.Empty(StrategyRun.Create(role));
        Assert.Contains("aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil", StrategyRun.Create(aggregated));
    }

    [Fact]
    public void RoleBinding_DefaultsTheRbacGroup_AndChecksSubjects()
    {
        var binding = new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "b", NamespaceProperty = "default" },
            RoleRef = new V1RoleRef { Kind = "Role", Name = "r" },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = "alice" }, new Rbacv1Subject { Kind = "ServiceAccount", Name = "robot" }],
        };
        var created = StrategyRun.Created(binding);

        Assert.Equal(Group, created.RoleRef.ApiGroup);
        Assert.Equal(Group, created.Subjects[0].ApiGroup);
        Assert.Null(created.Subjects[1].ApiGroup);

        var bad = StrategyRun.Copy(binding);
        bad.RoleRef.Kind = "Secret";
        bad.Subjects = [new Rbacv1Subject { Kind = "Robot", Name = "r2" }, new Rbacv1Subject { Kind = "ServiceAccount", Name = "Bad_Name", ApiGroup = Group }];
        var errors = StrategyRun.Create(bad);
        Assert.Contains("roleRef.kind: Unsupported value: \"Secret\": supported values: \"Role\", \"ClusterRole\"", errors);
        Assert.Contains("subjects[0].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"", errors);
        Assert.Contains("subjects[1].apiGroup: Unsupported value: \"rbac.authorization.k8s.io\": supported values: \"\"", errors);
    }

    [Fact]
    public void ClusterRoleBinding_OnlyReferencesClusterRoles_AndNamesServiceAccountNamespaces()
    {
        var binding = new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "b" },
            RoleRef = new V1RoleRef { ApiGroup = Group, Kind = "Role", Name = "r" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "robot" }],
        };

        var errors = StrategyRun.Create(binding);

        Assert.Contains("roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"", errors);
        Assert.Contains("subjects[0].namespace: Required value", errors);
    }

    [Fact]
    public void Bindings_RoleRefIsImmutable_SubjectsAreNot()
    {
        var old = StrategyRun.Created(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "b", NamespaceProperty = "default" },
            RoleRef = new V1RoleRef { ApiGroup = Group, Kind = "ClusterRole", Name = "view" },
        });
        var moreSubjects = StrategyRun.Copy(old);
        moreSubjects.Subjects = [new Rbacv1Subject { ApiGroup = Group, Kind = "Group", Name = "dev" }];
        var otherRole = StrategyRun.Copy(old);
        otherRole.RoleRef.Name = "edit";

        Assert.Empty(StrategyRun.Update(moreSubjects, old));
        Assert.Contains("roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef", StrategyRun.Update(otherRole, old));
    }

    [Fact]
    public void BindingTable_ShowsKindSlashRole_AndSubjectsByKind()
    {
        var binding = new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "b", CreationTimestamp = TableRow.Ago(TimeSpan.FromMinutes(5)) },
            RoleRef = new V1RoleRef { ApiGroup = Group, Kind = "ClusterRole", Name = "view" },
            Subjects =
            [
                new Rbacv1Subject { Kind = "User", Name = "alice" },
                new Rbacv1Subject { Kind = "Group", Name = "dev" },
                new Rbacv1Subject { Kind = "User", Name = "bob" },
                new Rbacv1Subject { Kind = "ServiceAccount", Name = "robot", NamespaceProperty = "ci" },
            ],
        };

        var row = new TableRow(new RoleBindingTable(), binding);

        Assert.Equal("ClusterRole/view", row["Role"]);
        Assert.Equal("5m", row["Age"]);
        Assert.Equal("alice, bob", row["Users"]);
        Assert.Equal("dev", row["Groups"]);
        Assert.Equal("ci/robot", row["ServiceAccounts"]);
        Assert.Equal(1, new RoleBindingTable().Columns.Single(c => c.Name == "Users").Priority);
    }

    private static V1Role ValidRole() => new()
    {
        Metadata = new V1ObjectMeta { Name = "reader", NamespaceProperty = "default" },
        Rules = [new V1PolicyRule { Verbs = ["get"], ApiGroups = [""], Resources = ["pods"] }],
    };
}
