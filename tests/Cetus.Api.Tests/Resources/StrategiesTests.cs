using Cetus.Api.Resources;
using Cetus.Api.Scheme;
using Xunit;

namespace Cetus.Api.Tests.Resources;

public sealed class StrategiesTests
{
    [Fact]
    public void EveryBuiltInKind_HasItsOwnStrategy()
    {
        var registry = BuiltInResources.Create();

        // Reviews are answered, never stored: nothing of theirs is defaulted or validated as an object.
        var generic = registry.All.Where(d => !d.Virtual).Where(d => d.Strategy.GetType().IsGenericType && d.Strategy.GetType().GetGenericTypeDefinition() == typeof(ResourceStrategy<>));

        Assert.Empty(generic.Select(d => d.GroupVersionKind.ToString()));
        Assert.Equal(20, registry.All.Where(d => !d.Virtual).Select(d => d.Strategy.GetType()).Distinct().Count());
    }

    [Theory]
    [InlineData("apps", "deployments", true)]
    [InlineData("apps", "replicasets", true)]
    [InlineData("policy", "poddisruptionbudgets", true)]
    [InlineData("", "pods", false)]
    [InlineData("", "services", false)]
    [InlineData("", "namespaces", false)]
    public void TracksGeneration_ForWorkloadsOnly(string group, string plural, bool expected)
    {
        Assert.Equal(expected, BuiltInResources.Create().Find(group, "v1", plural)!.Strategy.TracksGeneration);
    }
}
