using System.Text;
using System.Text.Json.Nodes;
using Cetus.Api.Json;
using Cetus.Api.Resources;
using Cetus.ApiServer.Registry;
using k8s.Models;
using Xunit;

namespace Cetus.ApiServer.Tests.Registry;

public sealed class StoredObjectTests
{
    private static readonly Cetus.Api.Scheme.ResourceDefinition Pods = BuiltInResources.Create().Find(string.Empty, "v1", "pods")!;

    private static V1Pod Pod() => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["app"] = "web" }, Uid = "u-1" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx" }] },
    };

    [Fact]
    public void WrittenObject_WireJsonEqualsAFullSerializationWithTheRevision()
    {
        var pod = Pod();
        var value = StoredObject.Encode(Pods, pod);
        var stored = StoredObject.FromWritten(Pods, "/registry/pods/default/web", pod, value, 42);

        Assert.Equal(KubeJson.Serialize(pod, typeof(V1Pod)), stored.Json);
        Assert.Equal("42", (string)JsonNode.Parse(stored.Json)!["metadata"]!["resourceVersion"]!);
        Assert.DoesNotContain("resourceVersion", Encoding.UTF8.GetString(value), StringComparison.Ordinal);
    }

    [Fact]
    public void WireJson_IsByteForByteASerialization_WithEveryMetadataField()
    {
        // The update handler's "nothing changed" test compares serializations with these bytes.
        var pod = Pod();
        pod.Metadata.Annotations = new Dictionary<string, string> { ["a"] = "b" };
        pod.Metadata.CreationTimestamp = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        pod.Metadata.DeletionGracePeriodSeconds = 30;
        pod.Metadata.DeletionTimestamp = new DateTime(2026, 1, 2, 3, 4, 6, DateTimeKind.Utc);
        pod.Metadata.Finalizers = ["x/y"];
        pod.Metadata.GenerateName = "web-";
        pod.Metadata.Generation = 3;
        pod.Metadata.ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl", Operation = "Update", FieldsType = "FieldsV1", FieldsV1 = new { } }];
        pod.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "rs", Uid = "u-2" }];
        pod.Metadata.SelfLink = "/x";
        var value = StoredObject.Encode(Pods, pod);

        var stored = StoredObject.FromWritten(Pods, "k", pod, value, 42);

        Assert.Equal(Encoding.UTF8.GetString(KubeJson.Serialize(pod, typeof(V1Pod))), Encoding.UTF8.GetString(stored.Json));
    }

    [Fact]
    public void Decode_ProducesTheSameObjectAsTheWritePath()
    {
        var pod = Pod();
        var value = StoredObject.Encode(Pods, pod);
        var written = StoredObject.FromWritten(Pods, "k", pod, value, 7);
        var decoded = StoredObject.Decode(Pods, "k", value, 7);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(written.Json), JsonNode.Parse(decoded.Json)));
        Assert.Equal("7", decoded.Item.Metadata.ResourceVersion);
        Assert.Equal("web", decoded.Labels["app"]);
    }

    [Fact]
    public void AtRevision_ReplacesTheResourceVersionAndKeepsTheOriginal()
    {
        var pod = Pod();
        var stored = StoredObject.FromWritten(Pods, "k", pod, StoredObject.Encode(Pods, pod), 7);

        var deleted = stored.AtRevision(9);

        Assert.Equal("9", (string)JsonNode.Parse(deleted.Json)!["metadata"]!["resourceVersion"]!);
        Assert.Equal("9", deleted.Item.Metadata.ResourceVersion);
        Assert.Equal("7", (string)JsonNode.Parse(stored.Json)!["metadata"]!["resourceVersion"]!);
        Assert.Equal("7", stored.Item.Metadata.ResourceVersion);
    }

    [Theory]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{}}""", """{"apiVersion":"v1","kind":"Pod","metadata":{"resourceVersion":"5"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}""", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","resourceVersion":"5"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","uid":"u"}}""", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","resourceVersion":"5","uid":"u"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"uid":"u"}}""", """{"apiVersion":"v1","kind":"Pod","metadata":{"resourceVersion":"5","uid":"u"}}""")]
    [InlineData("""{"metadata":{"resourceVersion":"3","name":"a"},"kind":"Pod","apiVersion":"v1"}""", """{"metadata":{"resourceVersion":"5","name":"a"},"kind":"Pod","apiVersion":"v1"}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"resourceVersion":"x"}},"spec":{"metadata":{}}}""", """{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"resourceVersion":"x"},"resourceVersion":"5"},"spec":{"metadata":{}}}""")]
    public void Splice_SetsOnlyTheTopLevelResourceVersion(string stored, string expected)
    {
        var spliced = WireJson.WithResourceVersion(Encoding.UTF8.GetBytes(stored), 5, "v1", "Pod");

        Assert.Equal(expected, Encoding.UTF8.GetString(spliced!));
    }

    [Theory]
    [InlineData("""{"apiVersion":"v1","kind":"Pod"}""")]
    [InlineData("""{"apiVersion":"v1","metadata":{}}""")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"Pod","metadata":{}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":[]}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"resourceVersion":5}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{""")]
    [InlineData("""[]""")]
    public void Splice_RefusesBytesOfAnotherShape(string stored)
    {
        Assert.Null(WireJson.WithResourceVersion(Encoding.UTF8.GetBytes(stored), 5, "v1", "Pod"));
    }

    [Fact]
    public void RecentWrites_TheCacheTakesTheWritersObject_EvenBeforeTheWriterHearsBack()
    {
        var recent = new RecentWrites();
        var pod = Pod();
        var value = StoredObject.Encode(Pods, pod);
        var write = recent.Begin(Pods, "k", pod, value);

        recent.Passing(10);
        var cached = recent.Take("k", 10, value.ToArray());
        var replied = recent.Complete(write, 10);

        Assert.NotNull(cached);
        Assert.Same(cached, replied);
        Assert.Equal("10", replied.Item.Metadata.ResourceVersion);
        Assert.Equal(0, recent.Count);
    }

    [Fact]
    public void RecentWrites_AWriteCompletedFirstWaitsForItsChange()
    {
        var recent = new RecentWrites();
        var pod = Pod();
        var value = StoredObject.Encode(Pods, pod);
        var replied = recent.Complete(recent.Begin(Pods, "k", pod, value), 10);

        Assert.Equal(1, recent.Count);
        recent.Passing(10);
        Assert.Same(replied, recent.Take("k", 10, value));
        Assert.Equal(0, recent.Count);
    }

    [Fact]
    public void RecentWrites_OtherBytesAreNotTaken_AndAFailedWriteLeavesNothing()
    {
        var recent = new RecentWrites();
        var pod = Pod();
        var write = recent.Begin(Pods, "k", pod, StoredObject.Encode(Pods, pod));
        var other = Pod();
        other.Metadata.Labels["app"] = "other";

        recent.Passing(10);
        Assert.Null(recent.Take("k", 10, StoredObject.Encode(Pods, other)));
        recent.Abandon(write);
        Assert.Equal(0, recent.Count);
    }

    [Fact]
    public void RecentWrites_AChangeAlreadyPassedIsNotKept()
    {
        var recent = new RecentWrites();
        var pod = Pod();
        var write = recent.Begin(Pods, "k", pod, StoredObject.Encode(Pods, pod));
        recent.Passing(11);

        recent.Complete(write, 10);

        Assert.Equal(0, recent.Count);
    }
}
