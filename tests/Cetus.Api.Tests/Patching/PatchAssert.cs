using System.Text.Json.Nodes;
using Cetus.Api.Patching;
using Xunit;

namespace Cetus.Api.Tests.Patching;

/// <summary>Comparisons for patch results: JSON equality (object member order aside) with readable failures.</summary>
internal static class PatchAssert
{
    public static JsonNode Doc(string json) => JsonNode.Parse(json)!;

    public static void JsonEqual(string expected, JsonNode? actual) =>
        Assert.True(
            JsonNode.DeepEquals(Doc(expected), actual),
            $"expected {Doc(expected).ToJsonString()}{Environment.NewLine}actual   {actual?.ToJsonString() ?? "null"}");

    public static PatchException Fails(PatchErrorKind kind, Func<JsonNode> apply)
    {
        var error = Assert.Throws<PatchException>(() => apply());
        Assert.Equal(kind, error.Kind);
        return error;
    }
}
