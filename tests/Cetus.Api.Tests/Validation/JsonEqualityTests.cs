using Cetus.Api.Validation;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Validation;

public sealed class JsonEqualityTests
{
    [Fact]
    public void MapsCompareWithoutOrder()
    {
        var a = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" } };
        var b = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["tier"] = "front", ["app"] = "web" } };

        Assert.True(JsonEquality.Same(a, b));
    }

    [Fact]
    public void EmptyListsAndMapsEqualAbsentOnes()
    {
        Assert.True(JsonEquality.Same(new V1PodSpec { Tolerations = [], NodeSelector = new Dictionary<string, string>() }, new V1PodSpec()));
    }

    [Fact]
    public void ListOrderAndValuesMatter()
    {
        Assert.False(JsonEquality.Same(new V1PodSpec { ImagePullSecrets = [new() { Name = "a" }, new() { Name = "b" }] }, new V1PodSpec { ImagePullSecrets = [new() { Name = "b" }, new() { Name = "a" }] }));
        Assert.False(JsonEquality.Same(new V1PodSpec { NodeName = "a" }, new V1PodSpec { NodeName = "b" }));
    }
}
