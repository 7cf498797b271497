using System.Text;
using Cetus.Api.Patching;
using k8s.Models;
using Xunit;
using static Cetus.Api.Tests.Patching.PatchAssert;

namespace Cetus.Api.Tests.Patching;

public sealed class PatcherTests
{
    private const string Pod = """{"metadata":{"name":"p","labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"x"}]}}""";

    [Theory]
    [InlineData(PatchType.Json, """[{"op":"replace","path":"/spec/containers/0/image","value":"y"}]""", """{"metadata":{"name":"p","labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"y"}]}}""")]
    [InlineData(PatchType.Merge, """{"spec":{"containers":[{"name":"d"}]}}""", """{"metadata":{"name":"p","labels":{"app":"a"}},"spec":{"containers":[{"name":"d"}]}}""")]
    [InlineData(PatchType.StrategicMerge, """{"spec":{"containers":[{"name":"d"}]}}""", """{"metadata":{"name":"p","labels":{"app":"a"}},"spec":{"containers":[{"name":"d"},{"name":"c","image":"x"}]}}""")]
    public void Apply_DispatchesOnThePatchType(PatchType type, string body, string expected)
    {
        JsonEqual(expected, Patcher.Apply(type, Doc(Pod), Encoding.UTF8.GetBytes(body), typeof(V1Pod)));
    }

    [Theory]
    [InlineData(PatchType.Merge, "Invalid JSON Patch")]
    [InlineData(PatchType.StrategicMerge, null)]
    [InlineData(PatchType.Json, null)]
    public void Parse_ABodyThatIsNotJson_IsABadRequest(PatchType type, string? message)
    {
        var error = Assert.Throws<PatchException>(() => Patcher.Parse(type, Encoding.UTF8.GetBytes("{\"a\":")));

        Assert.Equal(PatchErrorKind.BadRequest, error.Kind);
        if (message is not null)
        {
            Assert.Equal(message, error.Message);
        }
    }

    [Fact]
    public void Parse_DuplicateKeys_AreABadRequestBeforeAnyPatching()
    {
        var error = Assert.Throws<PatchException>(() => Patcher.Parse(PatchType.StrategicMerge, Encoding.UTF8.GetBytes("""{"spec":{"a":1,"a":2}}""")));

        Assert.True(error.IsBadRequest);
    }

    [Theory]
    [InlineData("application/json-patch+json", PatchType.Json)]
    [InlineData("application/merge-patch+json", PatchType.Merge)]
    [InlineData("application/strategic-merge-patch+json; charset=utf-8", PatchType.StrategicMerge)]
    public void TryParse_KnowsThePatchMediaTypes(string contentType, PatchType expected)
    {
        Assert.True(PatchMediaTypes.TryParse(contentType, out var type));
        Assert.Equal(expected, type);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/apply-patch+yaml")]
    [InlineData(null)]
    public void TryParse_RefusesOtherMediaTypes(string? contentType)
    {
        Assert.False(PatchMediaTypes.TryParse(contentType, out _));
    }
}
