using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.Endpoints;

public sealed class EndpointsStrategyTests
{
    [Fact]
    public void Create_DefaultsPortProtocolToTcp()
    {
        var endpoints = Valid();

        Assert.Empty(StrategyRun.Create(endpoints));

        Assert.Equal("TCP", endpoints.Subsets[0].Ports[0].Protocol);
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "subset without addresses", "subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`" },
        { "bad ip", "subsets[0].addresses[0].ip: Invalid value: \"10.1.2\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)" },
        { "loopback ip", "subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)" },
        { "two unnamed ports", "subsets[0].ports[0].name: Required value" },
        { "bad port", "subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive" },
        { "bad hostname", "subsets[0].addresses[0].hostname: Invalid value: \"web.0\": must not contain dots" },
    };

    private static readonly Dictionary<string, Action<V1Endpoints>> Edits = new()
    {
        ["subset without addresses"] = e => e.Subsets[0].Addresses = null,
        ["bad ip"] = e => e.Subsets[0].Addresses[0].Ip = "10.1.2",
        ["loopback ip"] = e => e.Subsets[0].Addresses[0].Ip = "127.0.0.1",
        ["two unnamed ports"] = e => e.Subsets[0].Ports.Add(new Corev1EndpointPort { Port = 443 }),
        ["bad port"] = e => e.Subsets[0].Ports[0].Port = 0,
        ["bad hostname"] = e => e.Subsets[0].Addresses[0].Hostname = "web.0",
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        Assert.Contains(message, StrategyRun.Create(Valid(Edits[name])));
    }

    [Fact]
    public void Update_ValidatesTheNewSubsets()
    {
        var old = StrategyRun.Created(Valid());
        var endpoints = StrategyRun.Copy(old);
        endpoints.Subsets[0].NotReadyAddresses = [new V1EndpointAddress { Ip = "0.0.0.0" }];

        Assert.Equal(["subsets[0].notReadyAddresses[0].ip: Invalid value: \"0.0.0.0\": may not be unspecified (0.0.0.0)"], StrategyRun.Update(endpoints, old));
    }

    private static V1Endpoints Valid(Action<V1Endpoints>? edit = null)
    {
        var endpoints = new V1Endpoints
        {
            Metadata = Meta.Named("web"),
            Subsets = [new V1EndpointSubset { Addresses = [new V1EndpointAddress { Ip = "10.42.0.7", NodeName = "node-1" }], Ports = [new Corev1EndpointPort { Port = 8080 }] }],
        };
        edit?.Invoke(endpoints);
        return endpoints;
    }
}
