using Cetus.Api.Resources;
using Cetus.Api.Scheme;
using Xunit;

namespace Cetus.Api.Tests.Tables;

public sealed class BuiltInTablesTests
{
    public static TheoryData<string, string, string[]> Expected => new()
    {
        { "", "Namespace", ["Name", "Status", "Age"] },
        { "", "Pod", ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"] },
        { "", "Node", ["Name", "Status", "Roles", "Age", "Version", "Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"] },
        { "", "Service", ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"] },
        { "", "Endpoints", ["Name", "Endpoints", "Age"] },
        { "", "ConfigMap", ["Name", "Data", "Age"] },
        { "", "Secret", ["Name", "Type", "Data", "Age"] },
        { "", "ServiceAccount", ["Name", "Secrets", "Age"] },
        { "", "Event", ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"] },
        { "apps", "Deployment", ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"] },
        { "apps", "ReplicaSet", ["Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"] },
        { "coordination.k8s.io", "Lease", ["Name", "Holder", "Age"] },
        { "policy", "PodDisruptionBudget", ["Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"] },
        { "scheduling.k8s.io", "PriorityClass", ["Name", "Value", "Global-Default", "Age", "PreemptionPolicy"] },
        { "rbac.authorization.k8s.io", "Role", ["Name", "Created At"] },
        { "rbac.authorization.k8s.io", "ClusterRole", ["Name", "Created At"] },
        { "rbac.authorization.k8s.io", "RoleBinding", ["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"] },
        { "rbac.authorization.k8s.io", "ClusterRoleBinding", ["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"] },
        { "events.k8s.io", "Event", ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"] },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void BuiltInKind_HasKubernetesColumns(string group, string kind, string[] columns)
    {
        var definition = BuiltInResources.Create().FindKind(group, "v1", kind);

        Assert.NotNull(definition);
        Assert.Equal(columns, definition.Table.Columns.Select(c => c.Name));
        Assert.Single(definition.Table.Columns, c => c.Format == "name");
        Assert.All(definition.Table.Columns, c => Assert.False(string.IsNullOrWhiteSpace(c.Description)));
    }

    [Fact]
    public void EveryBuiltInKind_HasItsOwnTableWithACellPerColumn()
    {
        foreach (var definition in BuiltInResources.Create().All.Where(d => !d.Virtual))
        {
            Assert.NotSame(DefaultTableConvertor.Instance, definition.Table);
            var empty = Activator.CreateInstance(definition.Type)!;

            Assert.Equal(definition.Table.Columns.Count, definition.Table.Cells(empty, DateTimeOffset.UnixEpoch).Length);
        }
    }
}
