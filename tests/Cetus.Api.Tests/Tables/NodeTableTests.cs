using Cetus.Api.Resources.Nodes;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Tables;

public sealed class NodeTableTests
{
    [Theory]
    [InlineData("True", false, "Ready")]
    [InlineData("False", false, "NotReady")]
    [InlineData("Unknown", false, "NotReady")]
    [InlineData(null, false, "Unknown")]
    [InlineData("True", true, "Ready,SchedulingDisabled")]
    [InlineData(null, true, "Unknown,SchedulingDisabled")]
    public void Status_FollowsReadyConditionAndCordon(string? ready, bool unschedulable, string expected)
    {
        var node = Node();
        node.Spec.Unschedulable = unschedulable;
        if (ready is not null)
        {
            node.Status.Conditions = [new V1NodeCondition { Type = "MemoryPressure", Status = "False" }, new V1NodeCondition { Type = "Ready", Status = ready }];
        }

        Assert.Equal(expected, new TableRow(new NodeTable(), node)["Status"]);
    }

    [Theory]
    [InlineData("", "<none>")]
    [InlineData("node-role.kubernetes.io/control-plane=,node-role.kubernetes.io/master=true", "control-plane,master")]
    [InlineData("kubernetes.io/role=worker,node-role.kubernetes.io/=x", "worker")]
    [InlineData("kubernetes.io/role=,node-role.kubernetes.io/etcd=", "etcd")]
    public void Roles_ComeFromRoleLabels(string labels, string expected)
    {
        var node = Node();
        node.Metadata.Labels = labels.Length == 0 ? null : labels.Split(',').Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

        Assert.Equal(expected, new TableRow(new NodeTable(), node)["Roles"]);
    }

    [Fact]
    public void Row_ShowsVersionAddressesAndSystemInfo()
    {
        var node = Node();
        node.Status.Addresses = [new V1NodeAddress { Address = "10.0.0.5", Type = "InternalIP" }, new V1NodeAddress { Address = "node-1", Type = "Hostname" }, new V1NodeAddress { Address = "203.0.113.9", Type = "ExternalIP" }];
        node.Status.NodeInfo = new V1NodeSystemInfo { KubeletVersion = "v1.32.0+cetus", OsImage = "Debian GNU/Linux 12 (bookworm)", KernelVersion = "6.1.0-18-amd64", ContainerRuntimeVersion = "containerd://1.7.13" };

        var row = new TableRow(new NodeTable(), node);

        Assert.Equal("node-1", row["Name"]);
        Assert.Equal("2d5h", row["Age"]);
        Assert.Equal("v1.32.0+cetus", row["Version"]);
        Assert.Equal("10.0.0.5", row["Internal-IP"]);
        Assert.Equal("203.0.113.9", row["External-IP"]);
        Assert.Equal("Debian GNU/Linux 12 (bookworm)", row["OS-Image"]);
        Assert.Equal("6.1.0-18-amd64", row["Kernel-Version"]);
        Assert.Equal("containerd://1.7.13", row["Container-Runtime"]);
    }

    [Fact]
    public void Row_WithoutStatus_ShowsPlaceholders()
    {
        var row = new TableRow(new NodeTable(), Node());

        Assert.Equal(string.Empty, row["Version"]);
        Assert.Equal("<none>", row["Internal-IP"]);
        Assert.Equal("<none>", row["External-IP"]);
        Assert.Equal("<unknown>", row["OS-Image"]);
        Assert.Equal("<unknown>", row["Kernel-Version"]);
        Assert.Equal("<unknown>", row["Container-Runtime"]);
    }

    [Fact]
    public void Columns_AreKubernetesNodeColumns()
    {
        var columns = new NodeTable().Columns;

        Assert.Equal(["Name", "Status", "Roles", "Age", "Version", "Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"], columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], columns.Select(c => c.Priority));
    }

    private static V1Node Node() => new()
    {
        Metadata = new V1ObjectMeta { Name = "node-1", CreationTimestamp = TableRow.Ago(TimeSpan.FromHours(53)) },
        Spec = new V1NodeSpec(),
        Status = new V1NodeStatus(),
    };
}
