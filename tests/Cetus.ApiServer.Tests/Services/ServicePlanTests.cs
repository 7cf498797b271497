using Cetus.Api.Scheme;
using Cetus.ApiServer.Services;
using k8s.Models;
using Xunit;

namespace Cetus.ApiServer.Tests.Services;

/// <summary>The service CIDR, the node port range, and what one create or update takes from them.</summary>
public sealed class ServicePlanTests
{
    private static readonly ServiceNetwork Network = new(ServiceCidr.Parse("10.96.0.0/28"), PortRange.Parse("30000-30019"));

    [Theory]
    [InlineData("10.43.0.0/16", "10.43.0.1", 65536)]
    [InlineData("10.43.7.9/24", "10.43.7.1", 256)]
    [InlineData("192.168.0.0/30", "192.168.0.1", 4)]
    public void Cidr_ParsesToItsNetwork(string text, string first, long size)
    {
        var cidr = ServiceCidr.Parse(text);
        Assert.Equal(first, cidr.First);
        Assert.Equal(size, cidr.Size);
    }

    [Theory]
    [InlineData("10.43.0.0")]
    [InlineData("10.43.0.0/7")]
    [InlineData("10.43.0.0/31")]
    [InlineData("fd00::/108")]
    [InlineData("nonsense/16")]
    public void Cidr_RefusesWhatIsNotAnIPv4RangeFrom8To30(string text) => Assert.Throws<FormatException>(() => ServiceCidr.Parse(text));

    [Theory]
    [InlineData("30000-29999")]
    [InlineData("0-10")]
    [InlineData("30000-70000")]
    [InlineData("a-b")]
    public void PortRange_RefusesWhatIsNotARange(string text) => Assert.Throws<FormatException>(() => PortRange.Parse(text));

    [Fact]
    public void Cidr_HandsOutEveryUsableAddressOnce_NeverNetworkBroadcastOrTheFirst()
    {
        var cidr = ServiceCidr.Parse("10.96.0.0/28");
        var used = new HashSet<uint>();
        var random = new Random(7);
        while (cidr.Pick(used.Contains, random) is { } ip)
        {
            Assert.True(used.Add(ServiceCidr.TryNumber(ip)!.Value), ip);
        }

        // 16 addresses: network .0, kubernetes .1 and broadcast .15 are never picked.
        Assert.Equal(Enumerable.Range(2, 13).Select(i => $"10.96.0.{i}"), used.Order().Select(ServiceCidr.Format));
    }

    [Fact]
    public void Cidr_PrefersTheUpperBand()
    {
        var cidr = ServiceCidr.Parse("10.43.0.0/16");
        var random = new Random(1);
        for (var i = 0; i < 200; i++)
        {
            // The lower 256 addresses are left to clients asking for one.
            Assert.True(ServiceCidr.TryNumber(cidr.Pick(_ => false, random))!.Value - cidr.Network >= 256 + 2);
        }
    }

    [Fact]
    public void Create_ClusterIP_GetsAFreeIPAndNoNodePorts()
    {
        var service = Service("ClusterIP", Port(80));
        var used = new UsedAddresses();
        used.Ips.Add(ServiceCidr.TryNumber("10.96.0.5")!.Value);
        var (taken, errors, exhausted) = Assign(service, null, used);

        Assert.Empty(errors);
        Assert.Null(exhausted);
        Assert.NotEqual("10.96.0.5", service.Spec.ClusterIP);
        Assert.True(Network.ClusterIPs.Usable(ServiceCidr.TryNumber(service.Spec.ClusterIP)!.Value));
        Assert.Equal([service.Spec.ClusterIP], service.Spec.ClusterIPs);
        Assert.Equal(["ip/" + service.Spec.ClusterIP], taken);
        Assert.Null(service.Spec.Ports[0].NodePort);
    }

    [Theory]
    [InlineData("10.96.0.5", "spec.clusterIPs: Invalid value: []string{\"10.96.0.5\"}: failed to allocate IP 10.96.0.5: provided IP is already allocated")]
    [InlineData("10.97.0.5", "spec.clusterIPs: Invalid value: []string{\"10.97.0.5\"}: failed to allocate IP 10.97.0.5: the provided IP (10.97.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/28")]
    [InlineData("10.96.0.15", "spec.clusterIPs: Invalid value: []string{\"10.96.0.15\"}: failed to allocate IP 10.96.0.15: the provided IP (10.96.0.15) is not in the valid range. The range of valid IPs is 10.96.0.0/28")]
    public void Create_RequestedIP_MustBeFreeAndInRange(string ip, string message)
    {
        var service = Service("ClusterIP", Port(80));
        service.Spec.ClusterIP = ip;
        service.Spec.ClusterIPs = [ip];
        var used = new UsedAddresses();
        used.Ips.Add(ServiceCidr.TryNumber("10.96.0.5")!.Value);

        var (taken, errors, _) = Assign(service, null, used);

        Assert.Empty(taken);
        Assert.Equal([message], errors.Select(e => e.Message));
    }

    [Fact]
    public void Create_HeadlessAndExternalName_TakeNothing()
    {
        var headless = Service("ClusterIP", Port(80));
        headless.Spec.ClusterIP = "None";
        headless.Spec.ClusterIPs = ["None"];
        Assert.True(ServicePlan.Of(headless, null, Network).IsEmpty);
        Assert.True(ServicePlan.Of(Service("ExternalName"), null, Network).IsEmpty);
    }

    [Fact]
    public void Create_NodePort_PicksPortsInRange_SharesOneAcrossProtocols_AndChecksRequests()
    {
        var service = Service("NodePort", Port(53, protocol: "UDP"), Port(53), Port(80, nodePort: 30004));
        var used = new UsedAddresses();
        used.Ports.Add(30005);

        var (taken, errors, exhausted) = Assign(service, null, used);

        Assert.Empty(errors);
        Assert.Null(exhausted);
        var ports = service.Spec.Ports.Select(p => p.NodePort!.Value).ToList();
        Assert.Equal(ports[0], ports[1]);
        Assert.Equal(30004, ports[2]);
        Assert.True(Network.NodePorts.Contains(ports[0]) && ports[0] != 30005 && ports[0] != 30004);
        Assert.Contains("port/30004", taken);
    }

    [Theory]
    [InlineData(30005, "spec.ports[0].nodePort: Invalid value: 30005: provided port is already allocated")]
    [InlineData(31000, "spec.ports[0].nodePort: Invalid value: 31000: provided port is not in the valid range. The range of valid ports is 30000-30019")]
    public void Create_RequestedNodePort_MustBeFreeAndInRange(int nodePort, string message)
    {
        var service = Service("NodePort", Port(80, nodePort: nodePort));
        var used = new UsedAddresses();
        used.Ports.Add(30005);

        var (_, errors, _) = Assign(service, null, used);

        Assert.Contains(message, errors.Select(e => e.Message));
    }

    [Fact]
    public void Create_TheSameNodePortTwiceInOneService_IsAlreadyAllocated()
    {
        var service = Service("NodePort", Port(80, nodePort: 30007), Port(81, protocol: "UDP", nodePort: 30007));

        var (_, errors, _) = Assign(service, null, new UsedAddresses());

        Assert.Equal(["spec.ports[1].nodePort: Invalid value: 30007: provided port is already allocated"], errors.Select(e => e.Message));
    }

    [Fact]
    public void Create_FullRanges_AreReported()
    {
        var used = new UsedAddresses();
        for (uint i = 0; i < 16; i++)
        {
            used.Ips.Add(Network.ClusterIPs.Network + i);
        }

        var (_, _, exhausted) = Assign(Service("ClusterIP", Port(80)), null, used);
        Assert.Equal("failed to allocate a serviceIP: range is full", exhausted);

        var ports = new UsedAddresses();
        for (var p = 30000; p < 30020; p++)
        {
            ports.Ports.Add(p);
        }

        var nodePort = Service("NodePort", Port(80));
        nodePort.Spec.ClusterIP = "None";
        (_, _, exhausted) = Assign(nodePort, null, ports);
        Assert.Equal("failed to allocate a nodePort: range is full", exhausted);
    }

    [Fact]
    public void Update_KeepsWhatItHas_AllocatesForNewPortsAndFromExternalName()
    {
        var old = Service("NodePort", Port(80, nodePort: 30003));
        old.Spec.ClusterIP = "10.96.0.9";
        var updated = Service("NodePort", Port(80, nodePort: 30003), Port(81));
        updated.Spec.ClusterIP = "10.96.0.9";
        var used = new UsedAddresses();

        var (taken, errors, _) = Assign(updated, old, used);

        Assert.Empty(errors);
        Assert.Equal("10.96.0.9", updated.Spec.ClusterIP);
        Assert.Equal(30003, updated.Spec.Ports[0].NodePort);
        Assert.NotNull(updated.Spec.Ports[1].NodePort);
        Assert.Equal(["port/" + updated.Spec.Ports[1].NodePort], taken);

        var fromExternal = Service("ClusterIP", Port(80));
        var (ipTaken, _, _) = Assign(fromExternal, Service("ExternalName"), used);
        Assert.Equal(["ip/" + fromExternal.Spec.ClusterIP], ipTaken);
    }

    [Fact]
    public void Create_LoadBalancerLocal_GetsAHealthCheckPort_AndWithoutNodePortsHonoursOnlyRequests()
    {
        var service = Service("LoadBalancer", Port(80), Port(81, nodePort: 30002));
        service.Spec.ExternalTrafficPolicy = "Local";
        service.Spec.AllocateLoadBalancerNodePorts = false;

        var (_, errors, _) = Assign(service, null, new UsedAddresses());

        Assert.Empty(errors);
        Assert.Null(service.Spec.Ports[0].NodePort);
        Assert.Equal(30002, service.Spec.Ports[1].NodePort);
        Assert.True(service.Spec.HealthCheckNodePort is { } check && Network.NodePorts.Contains(check) && check != 30002);
    }

    private static (List<string> Taken, List<FieldError> Errors, string? Exhausted) Assign(V1Service service, V1Service? old, UsedAddresses used)
    {
        var errors = new List<FieldError>();
        var taken = ServicePlan.Of(service, old, Network).Assign(used, new Random(3), errors, out var exhausted);
        return (taken, errors, exhausted);
    }

    private static V1ServicePort Port(int port, string protocol = "TCP", int? nodePort = null) => new() { Port = port, Protocol = protocol, NodePort = nodePort };

    private static V1Service Service(string type, params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = "svc", NamespaceProperty = "default" },
        Spec = new V1ServiceSpec { Type = type, Ports = [.. ports] },
    };
}
