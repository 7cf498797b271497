using System.Reflection;
using System.Text.Json.Serialization;
using Cetus.Api.Patching;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Patching;

public sealed class PatchMetaTests
{
    [Fact]
    public void For_ADeployment_WalksToTheContainersOfItsPodTemplate()
    {
        var podSpec = PatchMeta.For(typeof(V1Deployment))
            .Lookup("spec")!.Value
            .Lookup("template")!.Value
            .Lookup("spec")!.Value;

        var containers = podSpec.Lookup("containers")!;

        Assert.Equal(typeof(V1PodSpec), podSpec.ModelType);
        Assert.True(containers.IsList);
        Assert.Equal(new PatchTag(PatchStrategy.Merge, RetainKeys: false, MergeKey: "name"), containers.Tag);
        Assert.Equal(typeof(V1Container), containers.Value.ModelType);
        Assert.Equal("containerPort", containers.Value.Lookup("ports")!.Tag.MergeKey);
    }

    [Theory]
    [InlineData(typeof(V1PodSpec), "volumes", PatchStrategy.Merge, true, "name")]
    [InlineData(typeof(V1PodSpec), "tolerations", PatchStrategy.Default, false, null)]
    [InlineData(typeof(V1PodSpec), "hostAliases", PatchStrategy.Merge, false, "ip")]
    [InlineData(typeof(V1Container), "volumeMounts", PatchStrategy.Merge, false, "mountPath")]
    [InlineData(typeof(V1Container), "envFrom", PatchStrategy.Default, false, null)]
    [InlineData(typeof(V1ObjectMeta), "finalizers", PatchStrategy.Merge, false, null)]
    [InlineData(typeof(V1ObjectMeta), "ownerReferences", PatchStrategy.Merge, false, "uid")]
    [InlineData(typeof(V1DeploymentSpec), "strategy", PatchStrategy.Default, true, null)]
    [InlineData(typeof(V1ServiceSpec), "ports", PatchStrategy.Merge, false, "port")]
    [InlineData(typeof(V1NodeStatus), "conditions", PatchStrategy.Merge, false, "type")]
    public void Lookup_ReturnsUpstreamsPatchTags(Type modelType, string field, PatchStrategy strategy, bool retainKeys, string? mergeKey)
    {
        var tag = PatchMeta.For(modelType).Lookup(field)!.Tag;

        Assert.Equal(new PatchTag(strategy, retainKeys, mergeKey), tag);
    }

    [Fact]
    public void Lookup_InAMap_GivesTheValueTypeForAnyKey()
    {
        var labels = PatchMeta.For(typeof(V1ObjectMeta)).Lookup("labels")!;

        var value = labels.Value.Lookup("app.kubernetes.io/name")!;

        Assert.False(labels.IsList);
        Assert.Equal(typeof(string), value.Value.ModelType);
        Assert.Equal(PatchTag.None, value.Tag);
    }

    [Fact]
    public void Lookup_AFieldTheModelLacks_IsNull()
    {
        Assert.Null(PatchMeta.For(typeof(V1PodSpec)).Lookup("noSuchField"));
    }

    [Fact]
    public void For_ATypeWithoutSchema_IsUnknown_AndHasNoTags()
    {
        var meta = PatchMeta.For(typeof(object));

        Assert.Same(PatchMeta.Unknown, meta);
        Assert.Null(meta.ModelType);
        Assert.Equal(PatchTag.None, meta.Lookup("containers")!.Tag);
    }

    [Fact]
    public void EveryTableEntry_NamesAFieldOfItsType_AndAMergeKeyItsItemsHave()
    {
        foreach (var ((type, field), tag) in PatchMetaTable.All)
        {
            var property = type.GetProperties().SingleOrDefault(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name == field);
            Assert.True(property is not null, $"{type.Name} has no field {field}");

            var meta = PatchMeta.For(type).Lookup(field)!;
            Assert.Equal(tag, meta.Tag);
            if (tag.Strategy == PatchStrategy.Merge)
            {
                Assert.True(meta.IsList, $"{type.Name}.{field} merges but is not a list");
            }

            if (tag.MergeKey is not null)
            {
                Assert.True(meta.Value.Lookup(tag.MergeKey) is not null, $"items of {type.Name}.{field} have no {tag.MergeKey}");
            }
        }
    }
}
