using Cetus.Api.Resources.Pods;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.Pods;

public sealed class PodQosTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "nothing", "BestEffort" },
        { "cpu request only", "Burstable" },
        { "cpu and memory limits only", "Guaranteed" },
        { "requests equal limits", "Guaranteed" },
        { "requests below limits", "Burstable" },
        { "zero request under a limit", "Burstable" },
        { "second container without memory limit", "Burstable" },
        { "extended resource only", "BestEffort" },
    };

    private static readonly Dictionary<string, Action<V1PodSpec>> Edits = new()
    {
        ["nothing"] = _ => { },
        ["cpu request only"] = s => Set(s, 0, requests: [("cpu", "100m")]),
        ["cpu and memory limits only"] = s => Set(s, 0, limits: [("cpu", "1"), ("memory", "1Gi")]),
        ["requests equal limits"] = s => Set(s, 0, [("cpu", "1"), ("memory", "1Gi")], [("cpu", "1000m"), ("memory", "1Gi")]),
        ["requests below limits"] = s => Set(s, 0, [("cpu", "1"), ("memory", "1Gi")], [("cpu", "500m"), ("memory", "1Gi")]),
        ["zero request under a limit"] = s => Set(s, 0, [("cpu", "1"), ("memory", "1Gi")], [("cpu", "0"), ("memory", "1Gi")]),
        ["second container without memory limit"] = s =>
        {
            s.Containers.Add(PodBuilder.Container("sidecar"));
            Set(s, 0, limits: [("cpu", "1"), ("memory", "1Gi")]);
            Set(s, 1, limits: [("cpu", "1")]);
        },
        ["extended resource only"] = s => Set(s, 0, limits: [("example.com/gpu", "1")]),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_ClassifiesThePod(string name, string expected)
    {
        var spec = PodBuilder.Spec();
        Edits[name](spec);

        Assert.Equal(expected, PodQos.Compute(spec));
    }

    private static void Set(V1PodSpec spec, int index, (string, string)[]? limits = null, (string, string)[]? requests = null) =>
        spec.Containers[index].Resources = new V1ResourceRequirements
        {
            Limits = limits is null ? null : PodBuilder.Resources(limits),
            Requests = requests is null ? null : PodBuilder.Resources(requests),
        };
}
