using Cetus.Api.Validation;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Validation;

public sealed class ResourceRequirementsValidationTests
{
    private static readonly FieldPath Resources = FieldPath.Root("resources");

    public static TheoryData<string, string?> Cases => new()
    {
        { "cpu and memory", null },
        { "extended resource requested equal to limit", null },
        { "extended resource requested below limit", "resources.requests: Invalid value: \"1\": must be equal to example.com/gpu limit of 2" },
        { "extended resource without limit", "resources.limits: Required value: Limit must be set for non overcommitable resources" },
        { "fractional extended resource", "resources.limits[example.com/gpu]: Invalid value: \"500m\": must be an integer" },
        { "hugepages alone", "resources: Forbidden: HugePages require cpu or memory" },
        { "hugepages not a multiple", "resources.limits[hugepages-2Mi]: Invalid value: \"3Mi\": 3Mi is not positive integer multiple of hugepages-2Mi" },
        { "pods is not a container resource", "resources.limits[pods]: Invalid value: \"pods\": must be a standard resource for containers" },
    };

    private static readonly Dictionary<string, V1ResourceRequirements> Requirements = new()
    {
        ["cpu and memory"] = Make([("cpu", "1"), ("memory", "1Gi")], [("cpu", "500m"), ("memory", "1Gi")]),
        ["extended resource requested equal to limit"] = Make([("example.com/gpu", "2")], [("example.com/gpu", "2")]),
        ["extended resource requested below limit"] = Make([("example.com/gpu", "2")], [("example.com/gpu", "1")]),
        ["extended resource without limit"] = Make(null, [("example.com/gpu", "1")]),
        ["fractional extended resource"] = Make([("example.com/gpu", "500m")], null),
        ["hugepages alone"] = Make([("hugepages-2Mi", "4Mi")], null),
        ["hugepages not a multiple"] = Make([("hugepages-2Mi", "3Mi"), ("memory", "1Gi")], null),
        ["pods is not a container resource"] = Make([("pods", "1")], null),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Container(string name, string? message)
    {
        var errors = ResourceRequirementsValidation.Container(Requirements[name], Resources).Select(e => e.Message);

        Assert.Equal(message is null ? [] : [message], errors);
    }

    private static V1ResourceRequirements Make((string, string)[]? limits, (string, string)[]? requests) => new()
    {
        Limits = limits?.ToDictionary(e => e.Item1, e => new ResourceQuantity(e.Item2)),
        Requests = requests?.ToDictionary(e => e.Item1, e => new ResourceQuantity(e.Item2)),
    };
}
