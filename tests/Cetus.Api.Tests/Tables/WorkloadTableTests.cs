using Cetus.Api.Resources.Deployments;
using Cetus.Api.Resources.ReplicaSets;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Tables;

public sealed class WorkloadTableTests
{
    [Fact]
    public void DeploymentRow_ShowsReadyOfDesiredCountsAndTemplate()
    {
        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web", CreationTimestamp = TableRow.Ago(TimeSpan.FromDays(3) + TimeSpan.FromHours(4)) },
            Spec = new V1DeploymentSpec
            {
                Replicas = 3,
                Selector = new V1LabelSelector
                {
                    MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
                    MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["front", "edge"] }],
                },
                Template = Template(),
            },
            Status = new V1DeploymentStatus { ReadyReplicas = 2, UpdatedReplicas = 3, AvailableReplicas = 2 },
        };

        var row = new TableRow(new DeploymentTable(), deployment);

        Assert.Equal("web", row["Name"]);
        Assert.Equal("2/3", row["Ready"]);
        Assert.Equal(3L, row["Up-to-date"]);
        Assert.Equal(2L, row["Available"]);
        Assert.Equal("3d4h", row["Age"]);
        Assert.Equal("nginx,sidecar", row["Containers"]);
        Assert.Equal("nginx:1.27,busybox", row["Images"]);
        Assert.Equal("app=web,tier in (edge,front)", row["Selector"]);
    }

    [Fact]
    public void DeploymentRow_WithoutStatus_CountsZeroOfDefaultReplicas()
    {
        var row = new TableRow(new DeploymentTable(), new V1Deployment { Metadata = new V1ObjectMeta { Name = "new" }, Spec = new V1DeploymentSpec { Template = Template() } });

        Assert.Equal("0/1", row["Ready"]);
        Assert.Equal(0L, row["Up-to-date"]);
        Assert.Equal("<unknown>", row["Age"]);
        Assert.Equal(string.Empty, row["Selector"]);
    }

    [Fact]
    public void DeploymentRow_InvalidSelector_IsMarkedInvalid()
    {
        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "bad" },
            Spec = new V1DeploymentSpec { Selector = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "a", OperatorProperty = "Near" }] }, Template = Template() },
        };

        Assert.Equal("<invalid>", new TableRow(new DeploymentTable(), deployment)["Selector"]);
    }

    [Fact]
    public void DeploymentColumns_AreKubernetes()
    {
        var columns = new DeploymentTable().Columns;

        Assert.Equal(["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"], columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1], columns.Select(c => c.Priority));
    }

    [Fact]
    public void ReplicaSetRow_ShowsIntegerCountsAndSelector()
    {
        var replicaSet = new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = "web-5d4f", CreationTimestamp = TableRow.Ago(TimeSpan.FromSeconds(45)) },
            Spec = new V1ReplicaSetSpec { Replicas = 4, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["pod-template-hash"] = "5d4f", ["app"] = "web" } }, Template = Template() },
            Status = new V1ReplicaSetStatus { Replicas = 3, ReadyReplicas = 1 },
        };

        var row = new TableRow(new ReplicaSetTable(), replicaSet);

        Assert.Equal(4L, row["Desired"]);
        Assert.Equal(3L, row["Current"]);
        Assert.Equal(1L, row["Ready"]);
        Assert.Equal("45s", row["Age"]);
        Assert.Equal("app=web,pod-template-hash=5d4f", row["Selector"]);
    }

    [Fact]
    public void ReplicaSetRow_EmptySelector_IsNone()
    {
        var replicaSet = new V1ReplicaSet { Metadata = new V1ObjectMeta { Name = "rs" }, Spec = new V1ReplicaSetSpec { Selector = new V1LabelSelector(), Template = Template() } };

        Assert.Equal("<none>", new TableRow(new ReplicaSetTable(), replicaSet)["Selector"]);
    }

    [Fact]
    public void ReplicaSetColumns_AreKubernetes()
    {
        var columns = new ReplicaSetTable().Columns;

        Assert.Equal(["Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"], columns.Select(c => c.Name));
        Assert.Equal(["string", "integer", "integer", "integer", "string", "string", "string", "string"], columns.Select(c => c.Type));
    }

    private static V1PodTemplateSpec Template() => new()
    {
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "nginx", Image = "nginx:1.27" }, new V1Container { Name = "sidecar", Image = "busybox" }] },
    };
}
