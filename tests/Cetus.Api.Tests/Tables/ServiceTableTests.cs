using Cetus.Api.Resources.Services;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Tables;

public sealed class ServiceTableTests
{
    [Fact]
    public void ClusterIPService_ShowsPortsAndSelector()
    {
        var service = Service("ClusterIP");
        service.Spec.ClusterIPs = ["10.43.0.10", "fd00:43::a"];
        service.Spec.Ports = [Port(53, "UDP"), Port(53, "TCP"), Port(9153, null)];
        service.Spec.Selector = new Dictionary<string, string> { ["k8s-app"] = "kube-dns", ["app"] = "dns" };

        var row = new TableRow(new ServiceTable(), service);

        Assert.Equal("kube-dns", row["Name"]);
        Assert.Equal("ClusterIP", row["Type"]);
        Assert.Equal("10.43.0.10", row["Cluster-IP"]);
        Assert.Equal("<none>", row["External-IP"]);
        Assert.Equal("53/UDP,53/TCP,9153/TCP", row["Port(s)"]);
        Assert.Equal("4m", row["Age"]);
        Assert.Equal("app=dns,k8s-app=kube-dns", row["Selector"]);
    }

    [Fact]
    public void NodePortService_ShowsNodePortsAndExternalIPs()
    {
        var service = Service("NodePort");
        service.Spec.Ports = [Port(80, "TCP", nodePort: 30080)];
        service.Spec.ExternalIPs = ["198.51.100.1", "198.51.100.2"];

        var row = new TableRow(new ServiceTable(), service);

        Assert.Equal("80:30080/TCP", row["Port(s)"]);
        Assert.Equal("198.51.100.1,198.51.100.2", row["External-IP"]);
        Assert.Equal("<none>", row["Cluster-IP"]);
        Assert.Equal("<none>", row["Selector"]);
    }

    [Fact]
    public void LoadBalancerService_WithoutIngress_IsPending()
    {
        Assert.Equal("<pending>", new TableRow(new ServiceTable(), Service("LoadBalancer"))["External-IP"]);
    }

    [Fact]
    public void LoadBalancerService_ListsSortedIngressThenExternalIPs()
    {
        var service = Service("LoadBalancer");
        service.Spec.ExternalIPs = ["198.51.100.7"];
        service.Status = new V1ServiceStatus
        {
            LoadBalancer = new V1LoadBalancerStatus
            {
                Ingress = [new V1LoadBalancerIngress { Hostname = "lb.example.com" }, new V1LoadBalancerIngress { Ip = "203.0.113.20", Hostname = "ignored" }, new V1LoadBalancerIngress { Ip = "203.0.113.20" }],
            },
        };

        Assert.Equal("203.0.113.20,lb.example.com,198.51.100.7", new TableRow(new ServiceTable(), service)["External-IP"]);
    }

    [Fact]
    public void ExternalNameService_ShowsTheName()
    {
        var service = Service("ExternalName");
        service.Spec.ExternalName = "db.example.com";

        var row = new TableRow(new ServiceTable(), service);

        Assert.Equal("db.example.com", row["External-IP"]);
        Assert.Equal("<none>", row["Port(s)"]);
    }

    [Fact]
    public void ServiceWithoutType_IsShownAsDefaultedClusterIP()
    {
        var row = new TableRow(new ServiceTable(), Service(null));

        Assert.Equal("ClusterIP", row["Type"]);
        Assert.Equal("<none>", row["External-IP"]);
    }

    [Fact]
    public void Columns_AreKubernetesServiceColumns()
    {
        var columns = new ServiceTable().Columns;

        Assert.Equal(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"], columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 0, 0, 1], columns.Select(c => c.Priority));
    }

    private static V1Service Service(string? type) => new()
    {
        Metadata = new V1ObjectMeta { Name = "kube-dns", CreationTimestamp = TableRow.Ago(TimeSpan.FromSeconds(240)) },
        Spec = new V1ServiceSpec { Type = type },
    };

    private static V1ServicePort Port(int port, string? protocol, int? nodePort = null) => new() { Port = port, Protocol = protocol, NodePort = nodePort };
}
