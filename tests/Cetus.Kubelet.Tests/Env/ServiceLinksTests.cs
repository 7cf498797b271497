using Cetus.Kubelet.Env;
using Cetus.Kubelet.Pods;
using k8s.Models;
using Xunit;

namespace Cetus.Kubelet.Tests.Env;

/// <summary>Service-link variables against upstream's pkg/kubelet/envvars tests and getServiceEnvVarMap's rules.</summary>
public sealed class ServiceLinksTests
{
    [Fact]
    public void FromServices_MakesUpstreamsNamesAndValues_AndSkipsHeadlessAndUnset()
    {
        V1Service[] services =
        [
            Service("foo-bar", "1.2.3.4", Port(null, 8080, "TCP")),
            Service("abc-123", "5.6.7.8", Port("u-d-p", 8081, "UDP"), Port("t-c-p", 8081, "TCP")),
            Service("q-u-u-x", "9.8.7.6", Port(null, 8082, "TCP"), Port("8083", 8083, "TCP")),
            Service("svrc-clusterip-none", "None", Port(null, 8082, "TCP")),
            Service("svrc-clusterip-empty", "", Port(null, 8082, "TCP")),
            Service("super-ipv6", "2001:DB8::", Port("u-d-p", 8084, "UDP"), Port("t-c-p", 8084, "TCP")),
        ];

        var vars = ServiceLinks.FromServices(services).Select(v => $"{v.Key}={v.Value}").ToList();

        string[] expected =
        [
            "FOO_BAR_SERVICE_HOST=1.2.3.4",
            "FOO_BAR_SERVICE_PORT=8080",
            "FOO_BAR_PORT=tcp://1.2.3.4:8080",
            "FOO_BAR_PORT_8080_TCP=tcp://1.2.3.4:8080",
            "FOO_BAR_PORT_8080_TCP_PROTO=tcp",
            "FOO_BAR_PORT_8080_TCP_PORT=8080",
            "FOO_BAR_PORT_8080_TCP_ADDR=1.2.3.4",
            "ABC_123_SERVICE_HOST=5.6.7.8",
            "ABC_123_SERVICE_PORT=8081",
            "ABC_123_SERVICE_PORT_U_D_P=8081",
            "ABC_123_SERVICE_PORT_T_C_P=8081",
            "ABC_123_PORT=udp://5.6.7.8:8081",
            "ABC_123_PORT_8081_UDP=udp://5.6.7.8:8081",
            "ABC_123_PORT_8081_UDP_PROTO=udp",
            "ABC_123_PORT_8081_UDP_PORT=8081",
            "ABC_123_PORT_8081_UDP_ADDR=5.6.7.8",
            "ABC_123_PORT_8081_TCP=tcp://5.6.7.8:8081",
            "ABC_123_PORT_8081_TCP_PROTO=tcp",
            "ABC_123_PORT_8081_TCP_PORT=8081",
            "ABC_123_PORT_8081_TCP_ADDR=5.6.7.8",
            "Q_U_U_X_SERVICE_HOST=9.8.7.6",
            "Q_U_U_X_SERVICE_PORT=8082",
            "Q_U_U_X_SERVICE_PORT_8083=8083",
            "Q_U_U_X_PORT=tcp://9.8.7.6:8082",
            "Q_U_U_X_PORT_8082_TCP=tcp://9.8.7.6:8082",
            "Q_U_U_X_PORT_8082_TCP_PROTO=tcp",
            "Q_U_U_X_PORT_8082_TCP_PORT=8082",
            "Q_U_U_X_PORT_8082_TCP_ADDR=9.8.7.6",
            "Q_U_U_X_PORT_8083_TCP=tcp://9.8.7.6:8083",
            "Q_U_U_X_PORT_8083_TCP_PROTO=tcp",
            "Q_U_U_X_PORT_8083_TCP_PORT=8083",
            "Q_U_U_X_PORT_8083_TCP_ADDR=9.8.7.6",
            "SUPER_IPV6_SERVICE_HOST=2001:DB8::",
            "SUPER_IPV6_SERVICE_PORT=8084",
            "SUPER_IPV6_SERVICE_PORT_U_D_P=8084",
            "SUPER_IPV6_SERVICE_PORT_T_C_P=8084",
            "SUPER_IPV6_PORT=udp://[2001:DB8::]:8084",
            "SUPER_IPV6_PORT_8084_UDP=udp://[2001:DB8::]:8084",
            "SUPER_IPV6_PORT_8084_UDP_PROTO=udp",
            "SUPER_IPV6_PORT_8084_UDP_PORT=8084",
            "SUPER_IPV6_PORT_8084_UDP_ADDR=2001:DB8::",
            "SUPER_IPV6_PORT_8084_TCP=tcp://[2001:DB8::]:8084",
            "SUPER_IPV6_PORT_8084_TCP_PROTO=tcp",
            "SUPER_IPV6_PORT_8084_TCP_PORT=8084",
            "SUPER_IPV6_PORT_8084_TCP_ADDR=2001:DB8::",
        ];
        Assert.Equal(expected, vars);
    }

    [Fact]
    public void ForPod_TakesItsNamespaceWithLinks_AndTheKubernetesServiceAlways()
    {
        V1Service[] services =
        [
            Service("kubernetes", "10.43.0.1", Port("https", 443, "TCP")),
            Service("my-svc", "10.43.0.20", Port("http", 80, "TCP"), ns: "shop"),
            Service("other", "10.43.0.30", Port(null, 81, "TCP"), ns: "elsewhere"),
            Service("headless", "None", Port(null, 82, "TCP"), ns: "shop"),
        ];

        var linked = ServiceLinks.ForPod(services, "shop", enableServiceLinks: true);
        Assert.Equal("10.43.0.20", linked["MY_SVC_SERVICE_HOST"]);
        Assert.Equal("80", linked["MY_SVC_SERVICE_PORT_HTTP"]);
        Assert.Equal("10.43.0.1", linked["KUBERNETES_SERVICE_HOST"]);
        Assert.Equal("443", linked["KUBERNETES_SERVICE_PORT_HTTPS"]);
        Assert.Equal("tcp://10.43.0.1:443", linked["KUBERNETES_PORT"]);
        Assert.DoesNotContain(linked.Keys, k => k.StartsWith("OTHER_", StringComparison.Ordinal) || k.StartsWith("HEADLESS_", StringComparison.Ordinal));

        var unlinked = ServiceLinks.ForPod(services, "shop", enableServiceLinks: false);
        Assert.Equal("10.43.0.1", unlinked["KUBERNETES_SERVICE_HOST"]);
        Assert.All(unlinked.Keys, k => Assert.StartsWith("KUBERNETES_", k, StringComparison.Ordinal));
    }

    [Fact]
    public void ForPod_AKubernetesServiceInThePodsNamespaceWinsOverDefaults()
    {
        V1Service[] services =
        [
            Service("kubernetes", "10.43.7.7", Port(null, 8443, "TCP"), ns: "shop"),
            Service("kubernetes", "10.43.0.1", Port("https", 443, "TCP")),
        ];

        Assert.Equal("10.43.7.7", ServiceLinks.ForPod(services, "shop", enableServiceLinks: true)["KUBERNETES_SERVICE_HOST"]);
        Assert.Equal("10.43.7.7", ServiceLinks.ForPod(services.Reverse(), "shop", enableServiceLinks: true)["KUBERNETES_SERVICE_HOST"]);
        Assert.Equal("10.43.0.1", ServiceLinks.ForPod(services, "shop", enableServiceLinks: false)["KUBERNETES_SERVICE_HOST"]);
    }

    [Fact]
    public async Task Environment_ServiceVariablesFollowEnv_EnvOverridesThem_AndExpansionSeesThem()
    {
        var lister = new FakeServiceLister
        {
            Services = [Service("kubernetes", "10.43.0.1", Port("https", 443, "TCP")), Service("my-svc", "10.43.0.20", Port("http", 80, "TCP"))],
        };
        var container = new V1Container
        {
            Name = "app",
            Env =
            [
                new V1EnvVar { Name = "MY_SVC_SERVICE_PORT", Value = "9999" },
                new V1EnvVar { Name = "URL", Value = "http://$(MY_SVC_SERVICE_HOST):$(MY_SVC_SERVICE_PORT)/" },
            ],
        };
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = "u" }, Spec = new V1PodSpec { Containers = [container] } };

        var env = await new EnvironmentBuilder(null, lister).BuildAsync(new PodFacts(pod, PodConfigs.BareNode, "10.88.0.2"), container, CancellationToken.None);

        Assert.Equal(["MY_SVC_SERVICE_PORT", "URL"], env.Take(2).Select(v => v.Key));
        Assert.Equal("9999", env.Single(v => v.Key == "MY_SVC_SERVICE_PORT").Value);
        Assert.Equal("http://10.43.0.20:9999/", env.Single(v => v.Key == "URL").Value);
        Assert.Equal("10.43.0.1", env.Single(v => v.Key == "KUBERNETES_SERVICE_HOST").Value);
        Assert.Equal("tcp://10.43.0.20:80", env.Single(v => v.Key == "MY_SVC_PORT").Value);
        Assert.Equal(env.Count, env.Select(v => v.Key).Distinct().Count());

        pod.Spec.EnableServiceLinks = false;
        var unlinked = await new EnvironmentBuilder(null, lister).BuildAsync(new PodFacts(pod, PodConfigs.BareNode, "10.88.0.2"), container, CancellationToken.None);
        Assert.DoesNotContain(unlinked, v => v.Key == "MY_SVC_SERVICE_HOST");
        Assert.Contains(unlinked, v => v.Key == "KUBERNETES_SERVICE_HOST");
        Assert.Equal("http://$(MY_SVC_SERVICE_HOST):9999/", unlinked.Single(v => v.Key == "URL").Value);
    }

    [Fact]
    public async Task Environment_WaitsUntilServicesWereListed()
    {
        var container = new V1Container { Name = "app" };
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = "u" }, Spec = new V1PodSpec { Containers = [container] } };
        var builder = new EnvironmentBuilder(null, new FakeServiceLister { Synced = false });

        var error = await Assert.ThrowsAsync<ContainerConfigException>(() => builder.BuildAsync(new PodFacts(pod, PodConfigs.BareNode, null), container, CancellationToken.None));
        Assert.Contains("services have not yet been read at least once", error.Message, StringComparison.Ordinal);
        Assert.Empty(await new EnvironmentBuilder(null).BuildAsync(new PodFacts(pod, PodConfigs.BareNode, null), container, CancellationToken.None));
    }

    private static V1ServicePort Port(string? name, int port, string protocol) => new() { Name = name, Port = port, Protocol = protocol };

    private static V1Service Service(string name, string clusterIP, params V1ServicePort[] ports) => Service(name, clusterIP, ports, "default");

    private static V1Service Service(string name, string clusterIP, V1ServicePort port, string ns) => Service(name, clusterIP, [port], ns);

    private static V1Service Service(string name, string clusterIP, V1ServicePort[] ports, string ns) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { ClusterIP = clusterIP, Ports = ports },
    };

    private sealed class FakeServiceLister : IServiceLister
    {
        public bool Synced { get; init; } = true;

        public IReadOnlyList<V1Service> Services { get; init; } = [];

        public bool HasSynced => Synced;

        public IEnumerable<V1Service> List() => Services;
    }
}
