using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.Nodes;

public sealed class NodeStrategyTests
{
    [Fact]
    public void Create_KeepsTheRegisteredStatus_AndDefaultsAllocatableToCapacity()
    {
        var node = Valid(n => n.Status = new V1NodeStatus
        {
            Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("8Gi") },
            Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "10.0.0.5" }],
        });

        Assert.Empty(StrategyRun.Create(node));

        Assert.Equal("10.0.0.5", node.Status.Addresses[0].Address);
        Assert.Equal("8Gi", node.Status.Allocatable["memory"].ToString());
    }

    [Fact]
    public void Create_PodCIDRAndPodCIDRsFollowEachOther()
    {
        var node = Valid(n => n.Spec = new V1NodeSpec { PodCIDR = "10.42.0.0/24" });

        Assert.Empty(StrategyRun.Create(node));

        Assert.Equal(["10.42.0.0/24"], node.Spec.PodCIDRs);
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "bad name", "metadata.name: Invalid value: \"Node_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" },
        { "namespaced node", "metadata.namespace: Forbidden: not allowed on this type" },
        { "taint without effect", "metadata.taints[0].effect: Required value" },
        { "taint with unknown effect", "metadata.taints[0].effect: Unsupported value: \"NoRun\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"" },
        { "duplicate taints", "metadata.taints[1]: Duplicate value: core.Taint{Key:\"dedicated\", Value:\"b\", Effect:\"NoSchedule\", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair" },
        { "bad pod CIDR", "spec.podCIDRs[0]: Invalid value: \"10.42.0.0\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)" },
        { "two IPv4 pod CIDRs", "spec.podCIDRs: Invalid value: []string{\"10.42.0.0/24\", \"10.43.0.0/24\"}: may specify no more than one CIDR for each IP family" },
        { "negative capacity", "status.capacity.cpu: Invalid value: \"-1\": must be greater than or equal to 0" },
    };

    private static readonly Dictionary<string, Action<V1Node>> Edits = new()
    {
        ["bad name"] = n => n.Metadata.Name = "Node_1",
        ["namespaced node"] = n => n.Metadata.NamespaceProperty = "default",
        ["taint without effect"] = n => n.Spec = new V1NodeSpec { Taints = [new V1Taint { Key = "dedicated" }] },
        ["taint with unknown effect"] = n => n.Spec = new V1NodeSpec { Taints = [new V1Taint { Key = "dedicated", Effect = "NoRun" }] },
        ["duplicate taints"] = n => n.Spec = new V1NodeSpec
        {
            Taints = [new V1Taint { Key = "dedicated", Value = "a", Effect = "NoSchedule" }, new V1Taint { Key = "dedicated", Value = "b", Effect = "NoSchedule" }],
        },
        ["bad pod CIDR"] = n => n.Spec = new V1NodeSpec { PodCIDRs = ["10.42.0.0"] },
        ["two IPv4 pod CIDRs"] = n => n.Spec = new V1NodeSpec { PodCIDRs = ["10.42.0.0/24", "10.43.0.0/24"] },
        ["negative capacity"] = n => n.Status = new V1NodeStatus { Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("-1") } },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        Assert.Contains(message, StrategyRun.Create(Valid(Edits[name])));
    }

    [Fact]
    public void Update_PodCIDRsAndProviderIDAreSetOnce_UnschedulableIsFree()
    {
        var old = StrategyRun.Created(Valid(n => n.Spec = new V1NodeSpec { PodCIDRs = ["10.42.0.0/24"], ProviderID = "k3s://node-1" }));
        var node = StrategyRun.Copy(old);
        node.Spec.PodCIDRs = ["10.42.1.0/24"];
        node.Spec.PodCIDR = null;
        node.Spec.ProviderID = "k3s://other";
        var cordoned = StrategyRun.Copy(old);
        cordoned.Spec.Unschedulable = true;

        Assert.Equal(
            [
                "spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid",
                "spec.providerID: Forbidden: node updates may not change providerID except from \"\" to valid",
            ],
            StrategyRun.Update(node, old));
        Assert.Empty(StrategyRun.Update(cordoned, old));
    }

    [Fact]
    public void Update_KeepsStatus_StatusUpdateKeepsSpec()
    {
        var old = StrategyRun.Created(Valid(n => n.Status = new V1NodeStatus { Phase = "Running" }));
        var node = StrategyRun.Copy(old);
        node.Status = new V1NodeStatus { Phase = "Terminated" };
        var status = StrategyRun.Copy(old);
        status.Spec = new V1NodeSpec { Unschedulable = true };
        status.Status.Phase = "Pending";

        StrategyRun.Update(node, old);
        StrategyRun.UpdateStatus(status, old);

        Assert.Equal("Running", node.Status.Phase);
        Assert.Null(status.Spec?.Unschedulable);
        Assert.Equal("Pending", status.Status.Phase);
    }

    [Theory]
    [InlineData(true, "true")]
    [InlineData(false, "false")]
    [InlineData(null, "false")]
    public void SelectableFields_IncludeUnschedulable(bool? unschedulable, string expected)
    {
        var node = Valid(n => n.Spec = new V1NodeSpec { Unschedulable = unschedulable });

        Assert.Equal(
            new Dictionary<string, string> { ["metadata.name"] = "node-1", ["spec.unschedulable"] = expected },
            StrategyRun.For<V1Node>().SelectableFields(node));
    }

    private static V1Node Valid(Action<V1Node>? edit = null)
    {
        var node = new V1Node { Metadata = new V1ObjectMeta { Name = "node-1" } };
        edit?.Invoke(node);
        return node;
    }
}
