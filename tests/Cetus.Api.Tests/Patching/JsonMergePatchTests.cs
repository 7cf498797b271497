using Cetus.Api.Patching;
using Xunit;
using static Cetus.Api.Tests.Patching.PatchAssert;

namespace Cetus.Api.Tests.Patching;

public sealed class JsonMergePatchTests
{
    [Theory]
    [InlineData(
        "kubectl label adds a label",
        """{"metadata":{"name":"web","labels":{"app":"web"}}}""",
        """{"metadata":{"labels":{"tier":"fe"}}}""",
        """{"metadata":{"name":"web","labels":{"app":"web","tier":"fe"}}}""")]
    [InlineData(
        "kubectl label tier- sends null, which removes it",
        """{"metadata":{"name":"web","labels":{"app":"web","tier":"fe"}}}""",
        """{"metadata":{"labels":{"tier":null}}}""",
        """{"metadata":{"name":"web","labels":{"app":"web"}}}""")]
    [InlineData(
        "kubectl scale replaces a number deep in the object",
        """{"spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}}}}""",
        """{"spec":{"replicas":3}}""",
        """{"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}}}}""")]
    [InlineData(
        "lists are replaced whole, unlike a strategic merge",
        """{"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}}""",
        """{"spec":{"containers":[{"name":"c","image":"z"}]}}""",
        """{"spec":{"containers":[{"name":"c","image":"z"}]}}""")]
    [InlineData(
        "null for a member that is not there changes nothing",
        """{"a":"b"}""",
        """{"c":null}""",
        """{"a":"b"}""")]
    [InlineData(
        "an object replaces a scalar, and nulls inside it are dropped",
        """{"a":"b"}""",
        """{"a":{"x":1,"y":null}}""",
        """{"a":{"x":1}}""")]
    [InlineData(
        "a scalar replaces an object",
        """{"a":{"x":1}}""",
        """{"a":"flat"}""",
        """{"a":"flat"}""")]
    [InlineData(
        "RFC 7386 appendix A, the combined example",
        """{"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},"tags":["example","sample"],"content":"This will be unchanged"}""",
        """{"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},"tags":["example"]}""",
        """{"title":"Hello!","author":{"givenName":"John"},"tags":["example"],"content":"This will be unchanged","phoneNumber":"+01-123-456-7890"}""")]
    [InlineData(
        "an array patch replaces the whole document, per the RFC",
        """{"a":"b"}""",
        """["c"]""",
        """["c"]""")]
    [InlineData(
        "nulls inside lists are values, not deletions",
        """{"a":[1]}""",
        """{"a":[null,{"b":null}]}""",
        """{"a":[null,{"b":null}]}""")]
    public void Apply_ProducesTheExpectedDocument(string behaviour, string original, string patch, string expected)
    {
        Assert.NotEmpty(behaviour);

        JsonEqual(expected, JsonMergePatch.Apply(Doc(original), Doc(patch)));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    public void Apply_APatchThatIsNotAnObjectOrArray_IsABadRequest(string patch)
    {
        var error = Fails(PatchErrorKind.BadRequest, () => JsonMergePatch.Apply(Doc("""{"a":1}"""), JsonOrNull(patch)));

        Assert.Equal("Invalid JSON Patch", error.Message);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void Apply_DoesNotChangeItsInputs()
    {
        var original = Doc("""{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"list":[1]}}""");
        var patch = Doc("""{"metadata":{"labels":{"a":null,"c":{"deep":true}}},"spec":{"list":[2]}}""");
        var (originalBefore, patchBefore) = (original.ToJsonString(), patch.ToJsonString());

        var result = JsonMergePatch.Apply(original, patch);
        result["metadata"]!["labels"]!["c"]!["deep"] = false;

        Assert.Equal(originalBefore, original.ToJsonString());
        Assert.Equal(patchBefore, patch.ToJsonString());
    }

    private static System.Text.Json.Nodes.JsonNode? JsonOrNull(string json) => System.Text.Json.Nodes.JsonNode.Parse(json);
}
