using System.Net;
using Cetus.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace Cetus.E2E.Tests.Services;

/// <summary>Cluster IPs and node ports as kubectl users see them, against a real cetus server (default ranges).</summary>
public sealed class ServiceAllocationScenarios(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private readonly Kubernetes _client = new(KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Server.Kubeconfig));

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task CreateServiceClusterIP_GetsAnIPFromTheRange_ShownByGetSvc()
    {
        var created = await Run("create", "service", "clusterip", "web", "--tcp=80:8080");
        Assert.True(created.ExitCode == 0, created.ToString());

        var service = await _client.ReadNamespacedServiceAsync("web", "default");
        AssertInRange(service.Spec.ClusterIP);
        Assert.Equal([service.Spec.ClusterIP], service.Spec.ClusterIPs);
        Assert.Equal(["IPv4"], service.Spec.IpFamilies);
        Assert.Equal("SingleStack", service.Spec.IpFamilyPolicy);

        var table = await Run("get", "svc", "web");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches($@"(?m)^web\s+ClusterIP\s+{Regex(service.Spec.ClusterIP)}\s+<none>\s+80/TCP\s+\d+s$", table.Stdout);
    }

    [Fact]
    public async Task Expose_AsNodePort_GetsAClusterIPAndANodePortInTheirRanges()
    {
        var deployment = await Run("create", "deployment", "shop", "--image=registry.k8s.io/pause:3.10");
        Assert.True(deployment.ExitCode == 0, deployment.ToString());

        var exposed = await Run("expose", "deployment", "shop", "--port=80", "--target-port=8080", "--type=NodePort");
        Assert.True(exposed.ExitCode == 0, exposed.ToString());
        Assert.Equal("service/shop exposed", exposed.Stdout.Trim());

        var service = await _client.ReadNamespacedServiceAsync("shop", "default");
        AssertInRange(service.Spec.ClusterIP);
        var nodePort = Assert.Single(service.Spec.Ports).NodePort;
        Assert.InRange(nodePort ?? 0, 30000, 32767);
        var table = await Run("get", "svc", "shop");
        Assert.Matches($@"(?m)^shop\s+NodePort\s+{Regex(service.Spec.ClusterIP)}\s+<none>\s+80:{nodePort}/TCP\s+\d+s$", table.Stdout);
    }

    [Fact]
    public async Task FiftyConcurrentCreates_GetFiftyDifferentIPs()
    {
        await _client.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "many" } });
        var services = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => _client.CreateNamespacedServiceAsync(Service($"s{i}"), "many")));

        var ips = services.Select(s => s.Spec.ClusterIP).ToList();
        Assert.All(ips, AssertInRange);
        Assert.Equal(50, ips.Distinct().Count());
        var all = await _client.ListServiceForAllNamespacesAsync();
        Assert.Equal(all.Items.Count, all.Items.Select(s => s.Spec.ClusterIP).Distinct().Count());
    }

    [Fact]
    public async Task RequestedIP_TakenOrOutOfRange_Is422WithUpstreamsMessage()
    {
        var first = await Run("create", "service", "clusterip", "fixed-a", "--tcp=80", "--clusterip=10.43.200.7");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal("10.43.200.7", (await _client.ReadNamespacedServiceAsync("fixed-a", "default")).Spec.ClusterIP);

        var taken = await Run("create", "service", "clusterip", "fixed-b", "--tcp=80", "--clusterip=10.43.200.7");
        Assert.NotEqual(0, taken.ExitCode);
        Assert.Contains("Service \"fixed-b\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.43.200.7\"}: failed to allocate IP 10.43.200.7: provided IP is already allocated", taken.Stderr, StringComparison.Ordinal);

        var outside = await Run("create", "service", "clusterip", "fixed-c", "--tcp=80", "--clusterip=10.44.0.5");
        Assert.NotEqual(0, outside.ExitCode);
        Assert.Contains("failed to allocate IP 10.44.0.5: the provided IP (10.44.0.5) is not in the valid range. The range of valid IPs is 10.43.0.0/16", outside.Stderr, StringComparison.Ordinal);

        var service = Service("fixed-d");
        service.Spec.ClusterIP = "10.43.200.7";
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CreateNamespacedServiceAsync(service, "default"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Contains("\"reason\":\"Invalid\"", error.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestedNodePort_TakenOrOutOfRange_Is422WithUpstreamsMessage()
    {
        var first = await Run("create", "service", "nodeport", "np-a", "--tcp=80", "--node-port=30123");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(30123, (await _client.ReadNamespacedServiceAsync("np-a", "default")).Spec.Ports[0].NodePort);

        var taken = await Run("create", "service", "nodeport", "np-b", "--tcp=80", "--node-port=30123");
        Assert.NotEqual(0, taken.ExitCode);
        Assert.Contains("Service \"np-b\" is invalid: spec.ports[0].nodePort: Invalid value: 30123: provided port is already allocated", taken.Stderr, StringComparison.Ordinal);

        var outside = await Run("create", "service", "nodeport", "np-c", "--tcp=80", "--node-port=40000");
        Assert.NotEqual(0, outside.ExitCode);
        Assert.Contains("spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767", outside.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_AndChangeToExternalName_ReleaseTheIP_DryRunKeepsNothing()
    {
        Assert.Equal(0, (await Run("create", "service", "clusterip", "rel-a", "--tcp=80", "--clusterip=10.43.201.1")).ExitCode);
        var deleted = await Run("delete", "service", "rel-a");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        var again = await Run("create", "service", "clusterip", "rel-b", "--tcp=80", "--clusterip=10.43.201.1");
        Assert.True(again.ExitCode == 0, again.ToString());

        var patched = await Run("patch", "service", "rel-b", "--type=merge", "-p", """{"spec":{"type":"ExternalName","externalName":"example.com","clusterIP":"","clusterIPs":null,"ipFamilies":null,"ipFamilyPolicy":null}}""");
        Assert.True(patched.ExitCode == 0, patched.ToString());
        Assert.True(string.IsNullOrEmpty((await _client.ReadNamespacedServiceAsync("rel-b", "default")).Spec.ClusterIP));
        var afterExternal = await Run("create", "service", "clusterip", "rel-c", "--tcp=80", "--clusterip=10.43.201.1");
        Assert.True(afterExternal.ExitCode == 0, afterExternal.ToString());

        for (var i = 0; i < 2; i++)
        {
            var dry = await Run("create", "service", "clusterip", "dry", "--tcp=80", "--clusterip=10.43.201.2", "--dry-run=server", "-o", "jsonpath={.spec.clusterIP}");
            Assert.True(dry.ExitCode == 0, dry.ToString());
            Assert.Equal("10.43.201.2", dry.Stdout);
        }

        var real = await Run("create", "service", "clusterip", "dry", "--tcp=80", "--clusterip=10.43.201.2");
        Assert.True(real.ExitCode == 0, real.ToString());
    }

    [Fact]
    public async Task KubernetesService_IsTheFirstIPOn443_WithTheServersEndpoints_AndComesBackWhenDeleted()
    {
        var table = await Run("get", "svc", "kubernetes");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"(?m)^kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443/TCP\s+\S+$", table.Stdout);

        var port = new Uri(fixture.Server.Address).Port;
        var endpoints = await _client.ReadNamespacedEndpointsAsync("kubernetes", "default");
        var subset = Assert.Single(endpoints.Subsets);
        Assert.Equal("127.0.0.1", Assert.Single(subset.Addresses).Ip);
        Assert.Equal(("https", port, "TCP"), (subset.Ports[0].Name, subset.Ports[0].Port, subset.Ports[0].Protocol));
        var service = await _client.ReadNamespacedServiceAsync("kubernetes", "default");
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), service.Spec.Ports[0].TargetPort.Value);
        Assert.Equal("apiserver", service.Metadata.Labels["component"]);

        Assert.Equal(0, (await Run("delete", "svc", "kubernetes")).ExitCode);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        V1Service? back = null;
        while (back is null)
        {
            back = (await _client.ListNamespacedServiceAsync("default", fieldSelector: "metadata.name=kubernetes", cancellationToken: deadline.Token)).Items.SingleOrDefault();
            if (back is null)
            {
                await Task.Delay(200, deadline.Token);
            }
        }

        Assert.Equal("10.43.0.1", back.Spec.ClusterIP);
    }

    internal static void AssertInRange(string ip)
    {
        var parts = ip.Split('.').Select(int.Parse).ToArray();
        Assert.True(parts is [10, 43, _, _] && !(parts[2] == 0 && parts[3] is 0 or 1) && !(parts[2] == 255 && parts[3] == 255), ip);
    }

    internal static V1Service Service(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }], Selector = new Dictionary<string, string> { ["app"] = name } },
    };

    private static string Regex(string ip) => System.Text.RegularExpressions.Regex.Escape(ip);

    private Task<Kubectl.Result> Run(params string[] args) => Kubectl.RunAsync(fixture.Server.Kubeconfig, args);
}

/// <summary>Allocation across a restart, and the range flags.</summary>
public sealed class ServiceAllocationRestartScenarios
{
    [Fact]
    public async Task Restart_KnowsEveryIPGivenBefore()
    {
        await using var server = await CetusServerProcess.StartAsync();
        using (var before = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Kubeconfig)))
        {
            await Task.WhenAll(Enumerable.Range(0, 20).Select(i => before.CreateNamespacedServiceAsync(ServiceAllocationScenarios.Service($"before-{i}"), "default")));
        }

        await server.RestartAsync();
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Kubeconfig));
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => client.CreateNamespacedServiceAsync(ServiceAllocationScenarios.Service($"after-{i}"), "default")));

        var ips = (await client.ListNamespacedServiceAsync("default")).Items.Select(s => s.Spec.ClusterIP).ToList();
        Assert.Equal(51, ips.Count);
        Assert.Equal(51, ips.Distinct().Count());
        Assert.Contains("10.43.0.1", ips);
    }

    [Fact]
    public async Task RangeFlags_SetTheKubernetesServiceIPAndTheNodePorts()
    {
        await using var server = await CetusServerProcess.StartAsync(arguments: ["--service-cluster-ip-range", "10.99.0.0/24", "--service-node-port-range", "31000-31010"]);
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Kubeconfig));

        Assert.Equal("10.99.0.1", (await client.ReadNamespacedServiceAsync("kubernetes", "default")).Spec.ClusterIP);
        var service = ServiceAllocationScenarios.Service("np");
        service.Spec.Type = "NodePort";
        var created = await client.CreateNamespacedServiceAsync(service, "default");
        Assert.StartsWith("10.99.0.", created.Spec.ClusterIP, StringComparison.Ordinal);
        Assert.InRange(created.Spec.Ports[0].NodePort ?? 0, 31000, 31010);
    }
}
