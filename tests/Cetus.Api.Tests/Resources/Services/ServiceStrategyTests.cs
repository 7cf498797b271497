using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.Services;

public sealed class ServiceStrategyTests
{
    [Fact]
    public void Create_FillsServiceDefaults()
    {
        var service = Valid(s => s.Status = new V1ServiceStatus { Conditions = [new V1Condition { Type = "Ready", Status = "True" }] });

        Assert.Empty(StrategyRun.Create(service));

        Assert.Equal("{\"loadBalancer\":{}}", k8s.KubernetesJson.Serialize(service.Status));
        var spec = service.Spec;
        Assert.Equal(("ClusterIP", "None", "Cluster"), (spec.Type, spec.SessionAffinity, spec.InternalTrafficPolicy));
        Assert.Equal(("TCP", "80"), (spec.Ports[0].Protocol, spec.Ports[0].TargetPort.Value));
        Assert.Equal("SingleStack", spec.IpFamilyPolicy);
        Assert.Equal(["IPv4"], spec.IpFamilies);
        Assert.Null(spec.ExternalTrafficPolicy);
        Assert.Null(spec.AllocateLoadBalancerNodePorts);
    }

    [Fact]
    public void Create_LoadBalancerDefaults()
    {
        var service = Valid(s => (s.Spec.Type, s.Spec.SessionAffinity) = ("LoadBalancer", "ClientIP"));

        Assert.Empty(StrategyRun.Create(service));

        Assert.Equal("Cluster", service.Spec.ExternalTrafficPolicy);
        Assert.True(service.Spec.AllocateLoadBalancerNodePorts);
        Assert.Equal(10800, service.Spec.SessionAffinityConfig.ClientIP.TimeoutSeconds);
    }

    [Fact]
    public void Create_ClusterIPAndClusterIPsFollowEachOther()
    {
        var first = Valid(s => s.Spec.ClusterIP = "10.43.0.10");
        var second = Valid(s => s.Spec.ClusterIPs = ["10.43.0.11"]);

        Assert.Empty(StrategyRun.Create(first));
        Assert.Empty(StrategyRun.Create(second));

        Assert.Equal(["10.43.0.10"], first.Spec.ClusterIPs);
        Assert.Equal("10.43.0.11", second.Spec.ClusterIP);
    }

    [Fact]
    public void Create_ExternalNameHasNoIpFields()
    {
        var service = Valid(s =>
        {
            s.Spec.Type = "ExternalName";
            s.Spec.ExternalName = "db.example.com.";
            s.Spec.Ports = null;
        });

        Assert.Empty(StrategyRun.Create(service));

        Assert.Null(service.Spec.IpFamilyPolicy);
        Assert.Null(service.Spec.InternalTrafficPolicy);
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "name not a DNS-1035 label", "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" },
        { "no ports", "spec.ports: Required value" },
        { "two unnamed ports", "spec.ports[0].name: Required value" },
        { "duplicate port names", "spec.ports[1].name: Duplicate value: \"http\"" },
        { "port zero", "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive" },
        { "bad target port name", "spec.ports[0].targetPort: Invalid value: \"web--port\": must not contain consecutive hyphens" },
        { "unknown type", "spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"" },
        { "unknown affinity", "spec.sessionAffinity: Unsupported value: \"Cookie\": supported values: \"ClientIP\", \"None\"" },
        { "nodePort on ClusterIP", "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'" },
        { "same port twice", "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}" },
        { "bad cluster IP", "spec.clusterIPs[0]: Invalid value: \"10.43.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)" },
        { "headless NodePort", "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services" },
        { "ExternalName without name", "spec.externalName: Required value" },
        { "external policy on ClusterIP", "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for externally-accessible services" },
        { "source ranges on ClusterIP", "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'" },
        { "bad selector label", "spec.selector: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')" },
        { "unknown internal policy", "spec.internalTrafficPolicy: Unsupported value: \"Node\": supported values: \"Cluster\", \"Local\"" },
    };

    private static readonly Dictionary<string, Action<V1Service>> Edits = new()
    {
        ["name not a DNS-1035 label"] = s => s.Metadata.Name = "1web",
        ["no ports"] = s => s.Spec.Ports = null,
        ["two unnamed ports"] = s => s.Spec.Ports.Add(new V1ServicePort { Port = 443 }),
        ["duplicate port names"] = s => s.Spec.Ports = [new V1ServicePort { Name = "http", Port = 80 }, new V1ServicePort { Name = "http", Port = 8080 }],
        ["port zero"] = s => s.Spec.Ports[0].Port = 0,
        ["bad target port name"] = s => s.Spec.Ports[0].TargetPort = "web--port",
        ["unknown type"] = s => s.Spec.Type = "Internal",
        ["unknown affinity"] = s => s.Spec.SessionAffinity = "Cookie",
        ["nodePort on ClusterIP"] = s => s.Spec.Ports[0].NodePort = 30080,
        ["same port twice"] = s => s.Spec.Ports = [new V1ServicePort { Name = "a", Port = 80 }, new V1ServicePort { Name = "b", Port = 80 }],
        ["bad cluster IP"] = s => s.Spec.ClusterIP = "10.43.0.300",
        ["headless NodePort"] = s => (s.Spec.Type, s.Spec.ClusterIP) = ("NodePort", "None"),
        ["ExternalName without name"] = s => (s.Spec.Type, s.Spec.Ports) = ("ExternalName", null),
        ["external policy on ClusterIP"] = s => s.Spec.ExternalTrafficPolicy = "Local",
        ["source ranges on ClusterIP"] = s => s.Spec.LoadBalancerSourceRanges = ["10.0.0.0/8"],
        ["bad selector label"] = s => s.Spec.Selector["app"] = "a b",
        ["unknown internal policy"] = s => s.Spec.InternalTrafficPolicy = "Node",
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        Assert.Contains(message, StrategyRun.Create(Valid(Edits[name])));
    }

    [Fact]
    public void Update_ClusterIPMayNotChange()
    {
        var old = StrategyRun.Created(Valid(s => s.Spec.ClusterIP = "10.43.0.10"));
        var service = StrategyRun.Copy(old);
        service.Spec.ClusterIP = "10.43.0.20";
        service.Spec.ClusterIPs = ["10.43.0.20"];

        Assert.Equal(["spec.clusterIPs[0]: Invalid value: []string{\"10.43.0.20\"}: may not change once set"], StrategyRun.Update(service, old));
    }

    [Fact]
    public void Update_KeepsAllocatedValuesAManifestLeavesOut()
    {
        var old = StrategyRun.Created(Valid(s =>
        {
            s.Spec.Type = "NodePort";
            s.Spec.ClusterIP = "10.43.0.10";
            s.Spec.Ports[0].NodePort = 30080;
        }));
        var service = Valid(s =>
        {
            s.Metadata.ResourceVersion = old.Metadata.ResourceVersion;
            s.Metadata.Uid = old.Metadata.Uid;
            s.Spec.Type = "NodePort";
        });

        Assert.Empty(StrategyRun.Update(service, old));

        Assert.Equal(("10.43.0.10", 30080), (service.Spec.ClusterIP, service.Spec.Ports[0].NodePort));
    }

    [Fact]
    public void SelectableFields_IncludeClusterIPAndType()
    {
        var service = StrategyRun.Created(Valid(s => s.Spec.ClusterIP = "None"));

        var fields = StrategyRun.For<V1Service>().SelectableFields(service);

        Assert.Equal(("None", "ClusterIP"), (fields["spec.clusterIP"], fields["spec.type"]));
    }

    private static V1Service Valid(Action<V1Service>? edit = null)
    {
        var service = new V1Service
        {
            Metadata = Meta.Named("web"),
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Port = 80 }] },
        };
        edit?.Invoke(service);
        return service;
    }
}
