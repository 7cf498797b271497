using Cetus.Api.Patching;
using k8s.Models;
using Xunit;
using static Cetus.Api.Tests.Patching.PatchAssert;

namespace Cetus.Api.Tests.Patching;

public sealed class StrategicMergePatchErrorTests
{
    private const string Deployment = """
        {"metadata":{"name":"web","finalizers":["a"]},
         "spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},
           "template":{"spec":{"containers":[{"name":"app","image":"nginx"}]}}}}
        """;

    [Theory]
    [InlineData(
        """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":{"maxSurge":2}}}}""",
        "invalid patch format of retainKeys")]
    [InlineData(
        """{"spec":{"strategy":{"$retainKeys":"type","type":"Recreate"}}}""",
        "invalid patch format of retainKeys")]
    [InlineData(
        """{"metadata":{"$deleteFromPrimitiveListfinalizers":["a"]}}""",
        "invalid patch format of primitive list")]
    [InlineData(
        """{"spec":{"template":{"spec":{"$setElementOrdercontainers":[{"name":"app"}]}}}}""",
        "invalid patch format of setElementOrder list")]
    [InlineData(
        """[{"op":"replace","path":"/spec/replicas","value":3}]""",
        "json: cannot unmarshal array into Go value of type map[string]interface {}")]
    public void Apply_AMalformedPatch_IsABadRequest(string patch, string message)
    {
        var error = Fails(PatchErrorKind.BadRequest, () => StrategicMergePatch.Apply(Doc(Deployment), Doc(patch), typeof(V1Deployment)));

        Assert.Equal(message, error.Message);
        Assert.Equal(400, error.StatusCode);
    }

    [Theory]
    [InlineData(
        """{"spec":{"template":{"spec":{"containers":[{"image":"busybox"}]}}}}""",
        "map: map[image:busybox] does not contain declared merge key: name")]
    [InlineData(
        """{"spec":{"template":{"spec":{"containers":[{"$patch":"merge","name":"app"}]}}}}""",
        "merging lists cannot yet be specified in the patch")]
    [InlineData(
        """{"spec":{"strategy":{"$patch":"frobnicate","type":"Recreate"}}}""",
        "unknown patch type: frobnicate in map: map[$patch:frobnicate type:Recreate]")]
    [InlineData(
        """{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"name":"other","image":"x"}]}}}}""",
        "the order in patch list:\n[map[image:x name:other]]\n doesn't match $setElementOrder list:\n[map[name:app]]")]
    [InlineData(
        """{"spec":{"template":{"spec":{"containers":["app"]}}}}""",
        "list element types are not identical: [[map[image:nginx name:app]] [app]]")]
    public void Apply_APatchUpstreamDoesNotClassify_IsAnInternalErrorWithItsText(string patch, string message)
    {
        var error = Fails(PatchErrorKind.Internal, () => StrategicMergePatch.Apply(Doc(Deployment), Doc(patch), typeof(V1Deployment)));

        Assert.Equal(message, error.Message);
        Assert.Equal(500, error.StatusCode);
    }

    [Fact]
    public void Apply_ListsOfLists_AreInvalid()
    {
        var error = Fails(
            PatchErrorKind.Invalid,
            () => StrategicMergePatch.Apply(Doc("""{"metadata":{"finalizers":[["x"]]}}"""), Doc("""{"metadata":{"finalizers":[["y"]]}}"""), typeof(V1ConfigMap)));

        Assert.Equal("lists of lists are not supported", error.Message);
    }

    [Fact]
    public void Apply_AFieldTheModelDoesNotHave_CannotBeMerged()
    {
        var error = Fails(
            PatchErrorKind.Internal,
            () => StrategicMergePatch.Apply(Doc("""{"spec":{"bogus":{"a":1}}}"""), Doc("""{"spec":{"bogus":{"b":2}}}"""), typeof(V1Deployment)));

        Assert.Equal("unable to find api field in struct V1DeploymentSpec for the json field \"bogus\"", error.Message);
    }

    [Fact]
    public void Apply_AnOriginalThatIsNotAnObject_IsABadRequest()
    {
        var error = Fails(PatchErrorKind.BadRequest, () => StrategicMergePatch.Apply(Doc("[1]"), Doc("{}"), typeof(V1Deployment)));

        Assert.Equal("invalid JSON document", error.Message);
    }
}
