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

    [Fact]
    public void FieldsV1Cache_SharesOneFrozenSetPerJson_WhichRefusesChanges_ButItsCopiesAccept()
    {
        var json = System.Text.Encoding.UTF8.GetBytes("""{"f:spec":{"f:renewTime":{},"f:holderIdentity":{}}}""");
        var first = FieldsV1Cache.Get(json);
        var second = FieldsV1Cache.Get(json.ToArray());

        Assert.Same(first, second);
        Assert.NotSame(first, FieldsV1Cache.Get("""{"f:spec":{"f:renewTime":{}}}"""u8));
        Assert.Equal("""{"f:spec":{"f:holderIdentity":{},"f:renewTime":{}}}""", ApplyAssert.Text(first.ToFieldsV1()));
        Assert.Throws<InvalidOperationException>(() => first.Insert(["f:spec", "f:leaseDurationSeconds"]));
        Assert.Throws<InvalidOperationException>(() => first.Remove(["f:spec", "f:renewTime"]));
        var copy = first.Copy();
        copy.Insert(["f:spec", "f:leaseDurationSeconds"]);
        Assert.True(copy.Contains(["f:spec", "f:leaseDurationSeconds"]));
        Assert.False(first.Contains(["f:spec", "f:leaseDurationSeconds"]));
    }

    [Theory]
    // Entries in kube-apiserver's member order, one with a subresource.
    [InlineData("""[{"manager":"a","operation":"Apply","apiVersion":"v1","time":"2026-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:x":{}}}},{"manager":"b","operation":"Update","apiVersion":"v1","time":"2026-01-01T00:00:01Z","fieldsType":"FieldsV1","fieldsV1":{"f:status":{}},"subresource":"status"}]""", 2)]
    // Malformed items are counted and skipped: not an object, no manager, another fields type; a fieldsV1 that is no object owns nothing.
    [InlineData("""[1,{"operation":"Update","fieldsV1":{}},{"manager":"c","operation":"Update","fieldsType":"FieldsV2","fieldsV1":{}},{"manager":"d","operation":"Update","fieldsV1":[]},{"manager":"e","operation":"Update","fieldsV1":{"f:x":{}},"extra":{"y":[1]}}]""", 5)]
    // Escaped member names read as the JSON they spell.
    [InlineData("""[{"manag\u0065r":"f","operation":"Update","time":"2026-01-01T00:00:00Z","fieldsV1":{"f:y":{}}}]""", 1)]
    public void ManagedFields_ReadFromBytes_AsFromTheParsedObject(string managedFields, int count)
    {
        var obj = JsonNode.Parse("""{"metadata":{"managedFields":""" + managedFields + "}}")!.AsObject();
        var fromObject = ManagedFields.Read(obj);
        var fromBytes = ManagedFields.Read(System.Text.Encoding.UTF8.GetBytes(managedFields), out var read);

        Assert.Equal(count, read);
        Assert.Equal(ManagedFields.Count(obj), read);
        Assert.Equal(
            fromObject.Select(e => (e.Manager, e.Operation, e.ApiVersion, e.Time, e.Subresource, ApplyAssert.Text(e.Fields.ToFieldsV1()))),
            fromBytes.Select(e => (e.Manager, e.Operation, e.ApiVersion, e.Time, e.Subresource, ApplyAssert.Text(e.Fields.ToFieldsV1()))));
        Assert.NotEmpty(fromBytes);
    }
}
