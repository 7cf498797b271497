using Cetus.Cri.V1;
using Cetus.Kubelet.Pods;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Pods;

/// <summary>The PodSandboxConfig: hostname, DNS, namespaces.</summary>
public sealed class SandboxConfigTests : IDisposable
{
    private readonly string _resolvConf = Path.GetTempFileName();

    public SandboxConfigTests() =>
        File.WriteAllText(_resolvConf, "# host\nnameserver 1.1.1.1\nnameserver 8.8.8.8\nsearch corp.example lab.example\noptions edns0 ndots:2\n");

    public void Dispose() => File.Delete(_resolvConf);

    [Fact]
    public void ClusterFirst_UsesClusterDns_ClusterSearchesThenHosts_Ndots5()
    {
        var dns = PodDns.For(Pod("web"), Node("10.43.0.10"), out var missing);
        Assert.False(missing);
        Assert.Equal(["10.43.0.10"], dns.Servers);
        Assert.Equal(["default.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "lab.example"], dns.Searches);
        Assert.Equal(["ndots:5"], dns.Options);
    }

    [Fact]
    public void ClusterFirst_WithoutClusterDns_FallsBackToTheHosts()
    {
        var dns = PodDns.For(Pod("web"), Node(null), out var missing);
        Assert.True(missing);
        Assert.Equal(["1.1.1.1", "8.8.8.8"], dns.Servers);
        Assert.Equal(["corp.example", "lab.example"], dns.Searches);
        Assert.Equal(["edns0", "ndots:2"], dns.Options);
    }

    [Theory]
    [InlineData("ClusterFirst", true, "1.1.1.1")]
    [InlineData("ClusterFirstWithHostNet", true, "10.43.0.10")]
    [InlineData("Default", false, "1.1.1.1")]
    public void Policy_And_HostNetwork_PickTheServers(string policy, bool hostNetwork, string server)
    {
        var pod = Pod("web");
        pod.Spec.DnsPolicy = policy;
        pod.Spec.HostNetwork = hostNetwork;
        Assert.Equal(server, PodDns.For(pod, Node("10.43.0.10"), out _).Servers[0]);
    }

    [Fact]
    public void None_WithDnsConfig_IsExactlyTheDnsConfig_AndDnsConfigMergesOptionsByName()
    {
        var pod = Pod("web");
        pod.Spec.DnsPolicy = "None";
        pod.Spec.DnsConfig = new V1PodDNSConfig { Nameservers = ["9.9.9.9"], Searches = ["x.example"], Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "1" }] };
        var dns = PodDns.For(pod, Node("10.43.0.10"), out _);
        Assert.Equal(["9.9.9.9"], dns.Servers);
        Assert.Equal(["x.example"], dns.Searches);
        Assert.Equal(["ndots:1"], dns.Options);

        pod.Spec.DnsPolicy = "ClusterFirst";
        pod.Spec.DnsConfig.Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }, new V1PodDNSConfigOption { Name = "single-request" }];
        dns = PodDns.For(pod, Node("10.43.0.10"), out _);
        Assert.Equal(["10.43.0.10", "9.9.9.9"], dns.Servers);
        Assert.Equal("x.example", dns.Searches.Last());
        Assert.Equal(["ndots:2", "single-request"], dns.Options);
    }

    [Fact]
    public void Hostname_IsSpecHostnameOrPodName_CutTo63WithoutTrailingDashOrDot()
    {
        var builder = new SandboxConfigBuilder(Node(null));
        var named = Pod("web");
        named.Spec.Hostname = "front";
        Assert.Equal("front", builder.Build(named, 0).Hostname);

        var longName = new string('a', 62) + "-bcd";
        Assert.Equal(new string('a', 62), builder.Build(Pod(longName), 0).Hostname);

        var host = Pod("web");
        host.Spec.HostNetwork = true;
        host.Spec.HostPID = true;
        var config = builder.Build(host, 0);
        Assert.Equal(string.Empty, config.Hostname);
        Assert.Equal((NamespaceMode.Node, NamespaceMode.Node, NamespaceMode.Pod), (config.Linux.SecurityContext.NamespaceOptions.Network, config.Linux.SecurityContext.NamespaceOptions.Pid, config.Linux.SecurityContext.NamespaceOptions.Ipc));
    }

    [Fact]
    public async Task TheRuntimeReceivesTheSandboxConfig()
    {
        using var node = new PodSpecFixture("10.43.0.10", _resolvConf);
        var pod = Pod("web", containers: [Container("app", cpu: "100m")]);
        pod.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 80, HostPort = 8080 }];
        await node.RunAsync(pod);

        var config = await node.SandboxConfigAsync();
        Assert.Equal(("web", "/kubepods/burstable/poduid-web"), (config.Hostname, config.Linux.CgroupParent));
        Assert.Equal(["10.43.0.10"], config.DnsConfig.Servers);
        Assert.Equal((80, 8080), (config.PortMappings[0].ContainerPort, config.PortMappings[0].HostPort));
        Assert.Equal(NamespaceMode.Container, config.Linux.SecurityContext.NamespaceOptions.Pid);
    }

    private Cetus.Kubelet.Node.NodeConfig Node(string? clusterDns) => PodConfigs.BareNode with { ClusterDns = clusterDns, ResolvConf = _resolvConf };
}
