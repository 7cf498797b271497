using Cetus.Api.Resources;
using Cetus.Api.Scheme;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests;

public sealed class RegistryTests
{
    [Fact]
    public void BuiltIns_AreFoundByResourceKindAndType()
    {
        var registry = BuiltInResources.Create();

        var pods = registry.Find("", "v1", "pods");
        Assert.NotNull(pods);
        Assert.Equal("Pod", pods.Kind);
        Assert.Equal("/registry/pods/", pods.StoragePrefix);
        Assert.Same(pods, registry.FindKind("", "v1", "Pod"));
        Assert.Same(pods, registry.FindType(typeof(V1Pod)));
        Assert.Equal("/registry/apps/deployments/", registry.Find("apps", "v1", "deployments")!.StoragePrefix);
        Assert.Contains(("apps", "v1"), registry.GroupVersions());
    }

    [Fact]
    public void RegisteringAResourceTwice_IsRefused()
    {
        var registry = BuiltInResources.Create();

        var error = Assert.Throws<InvalidOperationException>(() => registry.Register(registry.Find("", "v1", "pods")!));

        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }
}
