using System.Text.Json.Nodes;
using Cetus.Api.Apply;
using Xunit;

namespace Cetus.Api.Tests.Apply;

public sealed class FieldSetTests
{
    [Theory]
    [InlineData("""{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{}}}}}""")]
    [InlineData("""{"f:metadata":{"f:finalizers":{"v:\"a\"":{},"v:\"b\"":{}},"f:labels":{".":{},"f:x":{}}}}""")]
    public void FieldsV1_RoundTripsInCanonicalOrder(string fields)
    {
        var set = FieldSet.FromFieldsV1(JsonNode.Parse(fields)!.AsObject());

        Assert.Equal(fields, ApplyAssert.Text(set.ToFieldsV1()));
    }

    [Fact]
    public void Difference_KeepsChildrenOfARemovedParent()
    {
        var set = FieldSet.FromFieldsV1(JsonNode.Parse("""{"f:a":{".":{},"f:b":{}}}""")!.AsObject());
        var parent = FieldSet.FromFieldsV1(JsonNode.Parse("""{"f:a":{}}""")!.AsObject());

        Assert.Equal("""{"f:a":{"f:b":{}}}""", ApplyAssert.Text(set.Difference(parent).ToFieldsV1()));
    }

    [Theory]
    [InlineData(new[] { "f:spec", "f:replicas" }, ".spec.replicas")]
    [InlineData(new[] { "f:spec", "f:containers", "k:{\"name\":\"app\"}", "f:image" }, ".spec.containers[name=\"app\"].image")]
    [InlineData(new[] { "f:metadata", "f:finalizers", "v:\"a\"" }, ".metadata.finalizers[=\"a\"]")]
    public void Describe_PrintsPathsAsUpstream(string[] path, string expected) =>
        Assert.Equal(expected, PathElements.Describe(path));
}
