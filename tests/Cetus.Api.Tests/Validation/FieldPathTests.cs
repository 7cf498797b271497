using Cetus.Api.Validation;
using Xunit;

namespace Cetus.Api.Tests.Validation;

public sealed class FieldPathTests
{
    [Fact]
    public void Path_JoinsChildrenWithDots_IndexesAndKeysInBrackets()
    {
        var spec = FieldPath.Root("spec");

        Assert.Equal("spec.containers[0].image", spec.Child("containers").Index(0).Child("image").ToString());
        Assert.Equal("spec.containers[1].resources.limits[cpu]", spec.Child("containers").Index(1).Child("resources", "limits").Key("cpu").ToString());
        Assert.Equal("metadata.annotations[kubernetes.io/service-account.name]", FieldPath.Root("metadata").Child("annotations").Key("kubernetes.io/service-account.name").ToString());
    }

    [Fact]
    public void Path_OfTheWholeObject_PrintsAsEmptyBrackets()
    {
        Assert.Equal("[]", FieldPath.Root("").ToString());
    }

    [Fact]
    public void Path_IsImmutable()
    {
        var spec = FieldPath.Root("spec");

        spec.Child("replicas");

        Assert.Equal("spec", spec.ToString());
    }
}
